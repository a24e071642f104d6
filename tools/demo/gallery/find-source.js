// GET variations/source/:entry: the image a request started from. Uploaded bytes are answered
// at once (output 1); a path is read by the File In node (output 2).
const gallery = flow.get('gallery') || [];
const entry = gallery.find((e) => e.id === msg.req.params.entry);
if (entry && entry.source.bytes) {
    msg.payload = entry.source.bytes;
    return [msg, null];
}
if (entry && entry.source.path) {
    msg.filename = entry.source.path;
    return [null, msg];
}
msg.statusCode = 404;
msg.payload = 'No source image';
return [msg, null];
