// libxlsxwriter, the C library that writes Excel .xlsx files (Debian's libxlsxwriter-dev).
#include <xlsxwriter.h>
