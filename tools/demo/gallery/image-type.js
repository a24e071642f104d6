// Names the image type from its first bytes (PNG, JPEG, WebP), whatever a file name says.
if (Buffer.isBuffer(msg.payload)) {
    const bytes = msg.payload;
    let type = 'application/octet-stream';
    if (bytes.subarray(0, 4).toString('hex') === '89504e47') {
        type = 'image/png';
    } else if (bytes.subarray(0, 3).toString('hex') === 'ffd8ff') {
        type = 'image/jpeg';
    } else if (bytes.subarray(0, 4).toString() === 'RIFF' && bytes.subarray(8, 12).toString() === 'WEBP') {
        type = 'image/webp';
    }
    msg.headers = Object.assign({}, msg.headers, { 'content-type': type, 'cache-control': 'private, max-age=3600' });
}
return msg;
