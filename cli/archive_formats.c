/* SPDX-License-Identifier: ISC */
/*
 * rexec is linked -static-pie (Makefile).  libarchive's table of write
 * formats names every format, xar's among them, and xar's writer needs
 * libxml2 (and ICU) linked in whole.  rexec writes pax only: this
 * definition answers the table's reference, so the static link leaves
 * xar, libxml2 and ICU out.
 */
#include <archive.h>

int	archive_write_set_format_xar(struct archive *);

int
archive_write_set_format_xar(struct archive *a)
{
	archive_set_error(a, -1, "xar: not in rexec");
	return ARCHIVE_FATAL;
}
