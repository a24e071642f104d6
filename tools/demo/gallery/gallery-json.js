// The gallery as JSON (no image bytes): the page polls it to refresh, scripts and tests read it.
const gallery = flow.get('gallery') || [];
msg.payload = {
    updated: flow.get('galleryUpdated') || 0,
    entries: gallery.map((entry) => ({
        id: entry.id,
        title: entry.title,
        state: entry.state,
        requestedAt: entry.requestedAt,
        finishedAt: entry.finishedAt,
        source: entry.source.label,
        settings: entry.settings,
        resultSize: entry.resultSize,
        images: entry.images.map((image, index) =>
            image.url || 'variations/image/' + encodeURIComponent(entry.id) + '/' + index),
        error: entry.error
    }))
};
return msg;
