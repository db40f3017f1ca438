#!/bin/sh
# Never answers the handshake. The sleep is a child process holding the
# stderr pipe, so killing only the shell would leave it behind; its pid is
# logged so the test can check that the whole process group went.
sleep 600 &
echo "silent.sh: reading nothing, saying nothing (child $!)" >&2
wait
