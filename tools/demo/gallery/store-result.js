// Puts what create-image-variation sent (output 1: images, output 2: the failure) into the
// gallery entry of its request. Handles both output modes: "single" (msg.payload is an array)
// and "split" (one message per image, msg.parts.index says which).
const gallery = flow.get('gallery') || [];
const entry = gallery.find((e) => e.id === msg.galleryId);
if (!entry) {
    return null;
}
entry.finishedAt = Date.now();
entry.seconds = ((entry.finishedAt - entry.requestedAt) / 1000).toFixed(1);
if (msg.error && msg.errorMessage) {
    entry.state = 'failed';
    entry.error = { code: msg.error.code || 'ERROR', message: msg.errorMessage };
} else {
    const image = (value) => (Buffer.isBuffer(value) ? { bytes: value } : { url: String(value) });
    if (Array.isArray(msg.payload)) {
        entry.images = msg.payload.map(image);
    } else if (msg.parts && msg.parts.type === 'array' && typeof msg.parts.index === 'number') {
        entry.images[msg.parts.index] = image(msg.payload);
    } else {
        entry.images = [image(msg.payload)];
    }
    entry.state = 'done';
    try {
        const response = JSON.parse(msg.response);
        entry.resultSize = response.size;
    } catch (e) {
        // msg.response is informative only; the images are already stored.
    }
}
flow.set('gallery', gallery);
flow.set('galleryUpdated', Date.now());
return null;
