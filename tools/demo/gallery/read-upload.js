// POST variations/upload (the form on the gallery page): output 1 sends the browser back to the
// gallery at once; output 2 is a new request for the variation node. The form's empty fields
// are left off, so the node's own settings apply.
const form = msg.req.body || {};
const file = (msg.req.files || [])[0];
const request = { topic: 'Upload' + (file ? ': ' + file.originalname : ' without a file') };
if (file) {
    request.image = file.buffer;
    request.sourceName = file.originalname;
}
for (const field of ['method', 'model', 'size', 'n', 'responseFormat', 'prompt']) {
    const value = typeof form[field] === 'string' ? form[field].trim() : '';
    if (value) {
        request[field] = value;
    }
}
msg.statusCode = 303;
msg.headers = { location: '../variations' };
msg.payload = '';
return [msg, request];
