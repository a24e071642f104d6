// Turns the stored entries into what the page template shows, newest first. Links are relative
// so the gallery works under any httpNodeRoot.
const gallery = flow.get('gallery') || [];
const clock = (time) => new Date(time).toTimeString().slice(0, 8);
const sizeText = (entry) => entry.resultSize && entry.resultSize !== entry.settings.size
    ? entry.settings.size + ' \u2192 ' + entry.resultSize
    : entry.settings.size;
msg.entries = gallery.map((entry) => ({
    id: entry.id,
    title: entry.title,
    time: clock(entry.requestedAt),
    seconds: entry.seconds,
    working: entry.state === 'working',
    done: entry.state === 'done',
    failed: entry.state === 'failed',
    sourceUrl: 'variations/source/' + encodeURIComponent(entry.id),
    sourceLabel: entry.source.label,
    settings: [
        { name: 'method', value: entry.settings.method },
        { name: 'model', value: entry.settings.model },
        { name: 'size', value: sizeText(entry) },
        { name: 'n', value: entry.settings.n },
        { name: 'response format', value: entry.settings.responseFormat }
    ],
    images: entry.images.map((image, index) => ({
        url: image.url || 'variations/image/' + encodeURIComponent(entry.id) + '/' + index,
        number: index + 1
    })),
    error: entry.error
}));
msg.empty = gallery.length === 0;
msg.updated = flow.get('galleryUpdated') || 0;
return msg;
