#!/bin/sh
# Never answers the handshake; the sleep is a child process, so killing only the shell would leave it behind.
echo "silent.sh: reading nothing, saying nothing" >&2
sleep 600
