/* The streaming loop of one running command: the heart of a session. */
#ifndef REXECD_STREAM_H
#define REXECD_STREAM_H

#include <stdbool.h>

#include "decode.h"
#include "message.h"
#include "spawn.h"
#include "worker.h"

struct stream_result {
	struct exit_status	 st;
	bool			 sent_exit;	/* false: the client went away */
	const char		*why;		/* when !sent_exit */
	unsigned long long	 bytes_out;
	unsigned long long	 bytes_in;
};

/* Runs until the exit frame is sent or the session is aborted; the
 * command and its process group are reaped or left only as ssh would. */
void	stream_run(struct worker *, int sock, struct decoder *,
	    struct child *, const struct exec_req *, struct stream_result *);

#endif
