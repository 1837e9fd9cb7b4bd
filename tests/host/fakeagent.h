/* fakeagent.h - a scripted agent for the host client tests: it speaks
 * docs/PROTOCOL.md from its own reading of the raw bytes (the digest over
 * the bodies exactly as they crossed the wire, seq checks, DATA
 * reassembly), injects noise (garbage, "AT\r", "ATZ\r\n") before and
 * between frames, and writes what it saw, one line per event, to a log the
 * test reads afterwards:
 *
 *   HELLO <nonce>            READY-DELAY <ms>      BEGIN <nonce> <id>
 *   ITEM <seq> <fields...>   FILE <path> <size> <sha256>
 *   COMMIT <seq> digest=ok|bad      REQ <id> <fields...>
 *   SEQ-ERROR <got> <want>   EOF
 */
#ifndef XC_FAKEAGENT_H
#define XC_FAKEAGENT_H

#include <stdio.h>

enum fa_script {
	FA_APPLY = 0, /* stale WELCOME first, then apply */
	FA_READY,     /* ignore the first HELLO, say READY, time the HELLO */
	FA_SEQFAIL,   /* first COMMIT: DONE failed <n> frame seq */
	FA_ALREADY,   /* DONE already right after BEGIN */
	FA_FAIL_ITEM, /* item 2 fails to apply */
	FA_SILENT,    /* never answers */
	FA_VERSION,   /* ERROR version */
	FA_REQUEST,   /* answers REQ with two "more" and an "ok" */
	FA_REQ_ERROR, /* answers REQ with "error" */
	FA_CLOSE,     /* closes the channel after the first HELLO */
	FA_SLOW,      /* reads in small bites, slowly */
	FA_RECV_FAIL, /* item 3 refused while receiving */
};

/* Runs the script on fd until the peer closes or the script ends. */
void fa_run(int fd, enum fa_script script, FILE *log);

#endif
