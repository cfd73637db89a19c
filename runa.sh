trap : HUP
d=/tmp/te/$1
node /work/wt-termexit/dist/bundle/lvstop.js --debug $d.debug attach /tmp/te/serve.sock 2>$d.err
echo "exit $?" >$d.done
