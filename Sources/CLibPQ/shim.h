#ifndef LIUSHOU_CLIBPQ_SHIM_H
#define LIUSHOU_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
