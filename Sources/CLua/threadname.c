#define _GNU_SOURCE
#include "clua.h"
#include <pthread.h>

int clua_name_thread(pthread_t thread, const char *name) {
#ifdef __APPLE__
    if (!pthread_equal(thread, pthread_self())) return -1; /* only a thread's own name */
    return pthread_setname_np(name);
#else
    return pthread_setname_np(thread, name);
#endif
}
