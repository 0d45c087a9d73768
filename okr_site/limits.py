"""Request bodies have a size limit, refused before they are read.

Django bounds form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams uploaded files to
disk however large: a 300 MB multipart POST to the anonymous sign-in page was read in full.
nginx refuses such bodies in production (``deploy/nginx``); this middleware does the same
wherever Django faces the client directly (``make run``, a bare gunicorn).
"""

from django.conf import settings
from django.http import HttpResponse


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY:
            limit_mb = settings.MAX_REQUEST_BODY // (1024 * 1024)
            response = HttpResponse(
                f"Request body too large: the limit is {limit_mb} MB.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            # The unread body stays on the socket: the client must not reuse this connection.
            response["Connection"] = "close"
            return response
        return self.get_response(request)
