/*
 * msiconf agent: the frames spoken between the harness and the agent.
 *
 * Every frame is a 13-byte head and a payload:
 *   u32 payload length, u8 kind, u32 job, u32 channel   (little-endian)
 * The job number names the session a frame belongs to, so a late frame from
 * an earlier session is recognised and dropped; the channel names one probe
 * connection relayed by the agent. harness/src/runtimes/msiexec/agent.rs is
 * the other side.
 */
#ifndef MSICONF_AGENT_FRAME_H
#define MSICONF_AGENT_FRAME_H

#include <stddef.h>
#include <string.h>

#define AF_VERSION 1
#define AF_HEAD 13
/* A package plus its header, or a verbose log, fits well within this. */
#define AF_MAX_FRAME (256u * 1024u * 1024u)

/* harness -> agent */
#define AF_AUTH 'A'  /* payload: the token; must be the first frame */
#define AF_JOB 'J'   /* payload: "token\tui\tpackage-script\tinstall\t=cmdline\n" and the package bytes */
#define AF_QUIT 'Q'
/* both ways */
#define AF_DATA 'D'  /* bytes of one probe connection */
#define AF_EOF 'E'   /* that connection ended (agent -> harness) or is to be closed (harness -> agent) */
/* agent -> harness */
#define AF_READY 'R'    /* payload: "msiconf-agent <version> pid=<pid>" */
#define AF_OPEN 'O'     /* a probe connected on a new channel */
#define AF_SCRIPT 'S'   /* bytes the JScript probe appended to its results file */
#define AF_FINISHED 'F' /* payload: "install=<rc>|-\thost=<rc>|-<rc>\n" and the verbose log */
#define AF_REFUSED 'X'  /* the job was not started; payload: why */
#define AF_CRASHED 'C'  /* the agent itself crashed; payload: "exception=0x...\n" */

static void af_put32(char *p, unsigned long v)
{
    p[0] = (char)(v & 0xff);
    p[1] = (char)((v >> 8) & 0xff);
    p[2] = (char)((v >> 16) & 0xff);
    p[3] = (char)((v >> 24) & 0xff);
}

static unsigned long af_get32(const unsigned char *p)
{
    return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24;
}

static void af_head(char *head, char kind, unsigned long job, unsigned long ch, size_t n)
{
    af_put32(head, (unsigned long)n);
    head[4] = kind;
    af_put32(head + 5, job);
    af_put32(head + 9, ch);
}

/* Whether buf holds a whole frame; if so its kind, job, channel and payload length. */
static int af_parse(const unsigned char *buf, size_t have, char *kind, unsigned long *job, unsigned long *ch,
                    size_t *n)
{
    if (have < AF_HEAD)
        return 0;
    *n = af_get32(buf);
    if (have < AF_HEAD + *n)
        return 0;
    *kind = (char)buf[4];
    *job = af_get32(buf + 5);
    *ch = af_get32(buf + 9);
    return 1;
}

#endif
