#ifndef WSYNC_CLIBPQ_SHIM_H
#define WSYNC_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
