// The File In node could not read the source (the "missing file" example): answer 404.
msg.statusCode = 404;
msg.headers = { 'content-type': 'text/plain' };
msg.payload = 'Source image not readable: ' + msg.filename;
return msg;
