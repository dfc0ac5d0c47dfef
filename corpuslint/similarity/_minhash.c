/* corpuslint.similarity._minhash: the MinHash kernel of
   corpuslint.similarity.hashing.near_keys, compiled.
 *
 * The same arithmetic as the numpy code in hashing.py (which stays as the fallback
 * and the reference: tests compare the two on random texts), one text at a time. In
 * numpy a document's ten paragraphs cost about 60 array operations of a few microseconds
 * each, whatever their size; here the work is the shingles themselves.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define BINS 128
#define VALUE_BITS 57
#define SKETCH_SIZE (BINS / 2)
#define EMPTY UINT64_MAX
#define MASK63 ((UINT64_C(1) << 63) - 1)

static const uint64_t MUL1 = UINT64_C(0x9E3779B97F4A7C15);
static const uint64_t MUL2 = UINT64_C(0xBF58476D1CE4E5B9);
static const uint64_t MUL3 = UINT64_C(0x94D049BB133111EB);

/* splitmix64's finalizer, as hashing._mix. */
static inline uint64_t mix(uint64_t v)
{
    v ^= v >> 30;
    v *= MUL2;
    v ^= v >> 27;
    v *= MUL3;
    return v ^ (v >> 31);
}

/* The minimum hash of each bin over the text's character 5-grams (hashing._minima). */
static void minima(const unsigned char *data, Py_ssize_t size, uint64_t *bins)
{
    const uint64_t low_values = (UINT64_C(1) << VALUE_BITS) - 1;
    for (int j = 0; j < BINS; j++)
        bins[j] = EMPTY;
    for (Py_ssize_t i = 0; i + 5 <= size; i++) {
        const unsigned char *p = data + i; /* the 5 bytes at i, little-endian */
        uint64_t word = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16
                        | (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32;
        uint64_t hash = mix(word * MUL1);
        unsigned bin = (unsigned)(hash >> VALUE_BITS);
        uint64_t value = hash & low_values;
        if (value < bins[bin])
            bins[bin] = value;
    }
}

/* Each empty bin filled from the next non-empty one to its right, circularly, offset
 * by the distance (hashing._densify). The text has a shingle, so some bin is full. */
static void densify(const uint64_t *bins, uint64_t *signature)
{
    int next = -1; /* the nearest full bin at or after j, counting past the end */
    for (int j = 2 * BINS - 1; j >= 0; j--) {
        if (bins[j % BINS] != EMPTY)
            next = j;
        if (j < BINS) {
            if (bins[j] != EMPTY)
                signature[j] = bins[j];
            else
                signature[j] = bins[next % BINS] + (uint64_t)(next - j) * MUL2;
        }
    }
}

static PyObject *near_keys(PyObject *self, PyObject *args)
{
    PyObject *texts;
    int bands, rows;
    if (!PyArg_ParseTuple(args, "O!ii", &PyList_Type, &texts, &bands, &rows))
        return NULL;
    if (bands < 1 || rows < 1 || bands * rows > BINS) {
        PyErr_Format(PyExc_ValueError, "%d bands x %d rows: not 1 to %d MinHash values",
                     bands, rows, BINS);
        return NULL;
    }
    uint64_t weights[BINS], seeds[BINS];
    for (int r = 0; r < rows; r++)
        weights[r] = mix((uint64_t)(r + 1) * MUL2) | 1;
    for (int b = 0; b < bands; b++)
        seeds[b] = mix((uint64_t)(b + 1) * MUL1);

    Py_ssize_t count = PyList_GET_SIZE(texts);
    PyObject *found = PyList_New(count);
    PyObject *none = NULL;
    if (found == NULL)
        return NULL;
    for (Py_ssize_t t = 0; t < count; t++) {
        PyObject *text = PyList_GET_ITEM(texts, t);
        if (!PyBytes_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "near_keys takes a list of bytes");
            goto fail;
        }
        Py_ssize_t size = PyBytes_GET_SIZE(text);
        PyObject *pair;
        if (size < 5) { /* no shingle: neither keys nor sketch */
            if (none == NULL && (none = Py_BuildValue("(y#y#)", "", (Py_ssize_t)0, "",
                                                      (Py_ssize_t)0)) == NULL)
                goto fail;
            Py_INCREF(none);
            pair = none;
        } else {
            uint64_t bins[BINS], signature[BINS];
            int64_t keys[BINS];
            unsigned char packed[SKETCH_SIZE];
            minima((const unsigned char *)PyBytes_AS_STRING(text), size, bins);
            densify(bins, signature);
            for (int b = 0; b < bands; b++) {
                uint64_t combined = 0;
                for (int r = 0; r < rows; r++)
                    combined += signature[b * rows + r] * weights[r];
                keys[b] = (int64_t)(mix(combined + seeds[b]) & MASK63);
            }
            for (int i = 0; i < SKETCH_SIZE; i++)
                packed[i] = (unsigned char)((signature[2 * i] & 0xF)
                                            | (signature[2 * i + 1] & 0xF) << 4);
            pair = Py_BuildValue("(y#y#)", (const char *)keys, (Py_ssize_t)(8 * bands),
                                 (const char *)packed, (Py_ssize_t)SKETCH_SIZE);
            if (pair == NULL)
                goto fail;
        }
        PyList_SET_ITEM(found, t, pair);
    }
    Py_XDECREF(none);
    return found;
fail:
    Py_XDECREF(none);
    Py_DECREF(found);
    return NULL;
}

static PyMethodDef methods[] = {
    {"near_keys", near_keys, METH_VARARGS,
     "near_keys(texts, bands, rows): hashing.near_keys of UTF-8 texts, compiled."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "corpuslint.similarity._minhash",
    "The MinHash kernel of corpuslint.similarity.hashing.near_keys, compiled.", -1, methods,
};

PyMODINIT_FUNC PyInit__minhash(void)
{
    return PyModule_Create(&module);
}
