// Preloaded (node -r) into the demo's Node-RED process. The launcher talks to it over an IPC
// channel; when the launcher goes away without stopping it (killed, crashed), the channel
// closes and Node-RED shuts down as on SIGTERM instead of living on as an orphan.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
