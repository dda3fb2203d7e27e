#ifndef PARKCTL_CLIBPQ_SHIM_H
#define PARKCTL_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
