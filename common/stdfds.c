/* SPDX-License-Identifier: ISC */
#include <fcntl.h>

#include "stdfds.h"

void
stdfds_ensure(void)
{
	/* open(2) takes the lowest free number: the one just found closed. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFL) == -1 &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) == -1)
			break;
}
