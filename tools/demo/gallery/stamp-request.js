// Records the request in the gallery before the variation node sees it: the page shows it as
// "working" at once, and the result finds its entry by msg.galleryId.
// The settings shown are the message's; where the message has none, the node's defaults.
const KEEP = 12;
const method = msg.method || 'edit';
const entry = {
    id: msg._msgid,
    title: msg.topic || 'Variation',
    requestedAt: Date.now(),
    state: 'working',
    source: Buffer.isBuffer(msg.image)
        ? { bytes: msg.image, label: msg.sourceName || 'uploaded image' }
        : { path: msg.imagePath || '', label: msg.imagePath || 'no image path' },
    settings: {
        method: method,
        model: msg.model || (method === 'edit' ? 'gpt-image-2' : 'not sent'),
        size: msg.size || (method === 'edit' ? 'auto' : 'same as input'),
        n: Number(msg.n || 1),
        responseFormat: msg.responseFormat || 'url'
    },
    images: []
};
msg.galleryId = entry.id;
const gallery = flow.get('gallery') || [];
gallery.unshift(entry);
flow.set('gallery', gallery.slice(0, KEEP));
flow.set('galleryUpdated', Date.now());
return msg;
