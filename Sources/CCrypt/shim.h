#ifndef LIUSHOU_CCRYPT_SHIM_H
#define LIUSHOU_CCRYPT_SHIM_H
#include <crypt.h>
#endif
