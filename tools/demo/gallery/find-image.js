// GET variations/image/:entry/:index: a variation kept as bytes, or a redirect to its hosted URL.
const gallery = flow.get('gallery') || [];
const entry = gallery.find((e) => e.id === msg.req.params.entry);
const image = entry && entry.images[Number(msg.req.params.index)];
if (image && image.bytes) {
    msg.payload = image.bytes;
} else if (image && image.url) {
    msg.statusCode = 302;
    msg.headers = { location: image.url };
    msg.payload = '';
} else {
    msg.statusCode = 404;
    msg.payload = 'No such image';
}
return msg;
