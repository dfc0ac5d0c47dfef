"""The local engine: one ``check`` run from paths to a :class:`Result` on this machine.

Discover the targets and the corpus around them, run the document pass (through the
cache when it is on) in a process pool, then the corpus pass, and finish the findings
as every engine does (``corpuslint.run.finish``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from corpuslint import plugins
from corpuslint._support import processes, profiling
from corpuslint._support.gc_pause import freezing, frozen
from corpuslint.cache.store import Cache, settings_digest
from corpuslint.config import Config
from corpuslint.engines.local import listing
from corpuslint.engines.local.corpus_pass import CorpusPass
from corpuslint.engines.local.document_pass import document_pass
from corpuslint.engines.local.git_dates import GitDates
from corpuslint.engines.local.incremental import cached_pass
from corpuslint.model import Result
from corpuslint.outcome import FileOutcome
from corpuslint.run import gitstate
from corpuslint.run.discover import Buffer, Discovery, SourceFile
from corpuslint.run.executor import Checker
from corpuslint.run.finish import Collected, Run
from corpuslint.run.plan import Overrides, Plan
from corpuslint.similarity.signatures import CorpusSignatures


def _open_cache(config: Config, registry: plugins.Registry, plan: Plan) -> Cache:
    """The project's cache for this run's settings (plugin versions included)."""
    from corpuslint._version import __version__

    versions = sorted((p.name, p.version) for p in registry.plugins)
    # The plan's document options of every nested configuration are in it; the time
    # budget and what only the finish applies (selection per folder, severities) are not.
    outcomes_depend_on = plan.outcome_settings()
    return Cache(config.root, settings_digest(__version__, versions, outcomes_depend_on))


def _collect(
    outcomes: Iterable[tuple[SourceFile, FileOutcome]],
    collected: Collected,
    signatures: CorpusSignatures,
    new: frozenset[str],
) -> None:
    """Keep the targets' findings and every file's signatures (``new`` files' as new).

    ``outcomes`` is closed on the way out, whatever ends the loop (see :func:`_close`).
    """
    try:
        for source, outcome in freezing(outcomes):
            if source.target:
                collected.violations.extend(outcome.violations)
                collected.directives[source.display] = outcome.directives
                collected.warnings.extend(outcome.notices)
            collected.errors.extend(outcome.errors)
            signatures.add(outcome.signatures, source.target or source.location in new)
    finally:
        _close(outcomes)


def _close(outcomes: Iterable[tuple[SourceFile, FileOutcome]]) -> None:
    """Close the document pass's generator, and so stop its pool, now.

    Left to the garbage collector, an interrupted pass could wait for the interpreter's
    shutdown (an interrupt's traceback keeps it), when the pool's stopping thread can no
    longer start.
    """
    close = getattr(outcomes, "close", None)
    if close is not None:
        close()


def _corpus(
    discovery: Discovery,
    config: Config,
    checker: Checker,
    targets: list[SourceFile],
    cache: Cache | None,
    buffer: Buffer | None,
) -> tuple[list[SourceFile], listing.GitState | None, listing.Reused | None]:
    """The files to look at, git's state and the saved listing reused (if one holds).

    Without corpus rules, the targets alone. Otherwise the saved listing's files to look
    at when it holds for git's state, else the corpus as listed now.
    """
    if not checker.corpus_rules:
        return list(targets), None, None
    state = None
    if cache is not None and cache.usable and buffer is None:
        state = listing.git_state(discovery, config, targets)
    reused = listing.reuse(cache, state, discovery, targets) if cache and state else None
    profiling.note("listing reused", reused is not None)
    if reused is not None:
        return reused.looked_at, state, reused
    return discovery.corpus(targets), state, None


def _new_files(
    discovery: Discovery, state: listing.GitState | None, count: int, targets: list[SourceFile]
) -> frozenset[str]:
    """Files new in this run besides the targets: the ones staged in git (see ``gitstate``)."""
    if count <= len(targets):
        return frozenset()
    return state.staged if state is not None else gitstate.staged(discovery.root)


def _outcomes(
    checker: Checker,
    sources: Sequence[SourceFile],
    jobs: int,
    cache: Cache | None,
    tick: Callable[[int], None] | None,
    reused: listing.Reused | None,
    validated: set[str],
    crowded: dict[str, set[int]],
    errors: list[str],
) -> Iterator[tuple[SourceFile, FileOutcome]]:
    """The document pass: through the cache when there is one (see ``cached_pass``)."""
    if cache is None or not cache.usable:
        return document_pass(checker, sources, jobs, tick)
    bounds = {rule.code: checker.crowded(rule, errors) for rule in checker.corpus_rules}
    return cached_pass(checker, sources, jobs, cache, tick, reused, validated, bounds, crowded)


def check(
    paths: Sequence[Path],
    config: Config,
    registry: plugins.Registry,
    overrides: Overrides | None = None,
    cwd: Path | None = None,
    progress: Callable[[int, int], Callable[[int], None]] | None = None,
    buffer: Buffer | None = None,
) -> Result:
    """Check ``paths`` (the targets) against the corpus; report findings in targets only.

    With ``buffer`` (stdin, an editor's text), that content is the one target, checked as
    the file it names with the rest of the corpus around it; ``paths`` is then unused.
    """
    overrides = overrides or Overrides()
    use_cache = overrides.cache if overrides.cache is not None else config.cache
    with profiling.stage("prepare"):
        run = Run.prepare(config, registry, overrides, use_cache)
    with profiling.stage("open cache"):
        cache = _open_cache(config, registry, run.plan) if use_cache else None
    with profiling.stage("discover"):
        discovery = Discovery(run.config, registry.readers, cwd)  # nested excludes too
        if buffer is not None:
            targets, skipped = discovery.buffered(buffer)
        else:
            targets, skipped = discovery.targets(paths or [config.root])
        checker = Checker(registry, run.plan)
        sources, state, reused = _corpus(discovery, run.config, checker, targets, cache, buffer)
        count = reused.count if reused is not None else len(sources)
        new = _new_files(discovery, state, count, targets)
    profiling.note("files", count)

    jobs = overrides.jobs or config.jobs or processes.default_jobs()
    tick = progress(count, sum(1 for s in sources if s.target)) if progress else None
    collected = Collected()
    signatures = checker.signatures()
    target_paths = {s.display for s in targets}
    validated: set[str] = set()
    crowded: dict[str, set[int]] = {}  # keys of the targets whose groups are not judged
    outcomes = _outcomes(
        checker, sources, jobs, cache, tick, reused, validated, crowded, collected.errors
    )
    with profiling.stage("document pass"):
        _collect(outcomes, collected, signatures, new)
    if state is not None and reused is None and discovery.listed is not None and cache:
        with profiling.stage("save listing"):  # the next run over a few files reuses it
            after = listing.git_state(discovery, run.config, targets)
            listing.save(cache, state, after, discovery.listed, validated)
    indexing = cache.key_index_meanwhile() if cache is not None else contextlib.nullcontext()
    with profiling.stage("corpus pass"), frozen():
        # Prepared (and its helper process forked) before the index thread starts.
        dates = GitDates(cwd or Path.cwd(), cache, state.repository if state else None)
        corpus = CorpusPass(checker, signatures, collected.errors, jobs, cwd, dates, crowded)
        del signatures
        with indexing:
            found = corpus.findings()
            collected.violations.extend(v for v in found if v.path in target_paths)
        del corpus
    with profiling.stage("close cache"):
        if cache is not None:
            cache.close()
            collected.warnings.extend(cache.warnings)
    with profiling.stage("finish"):
        result = run.finish(collected, targets, skipped)
    profiling.write()
    return result
