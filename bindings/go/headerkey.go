package reqc

import "net/http"

// headerKey is http.CanonicalHeaderKey(name), without its work for the
// names servers send most: as they come over HTTP/1.1 (canonical, or as the
// RFCs spell them: "ETag", "WWW-Authenticate") and over HTTP/2 and 3 (lower
// case), each maps to one shared constant. Other names take the
// standard library's path. (A response's header map is most of what
// converting it costs; TestHeaderKey checks each case against
// http.CanonicalHeaderKey.)
func headerKey(name string) string {
	switch name {
	case "Date", "date":
		return "Date"
	case "Server", "server":
		return "Server"
	case "Content-Type", "content-type":
		return "Content-Type"
	case "Content-Length", "content-length":
		return "Content-Length"
	case "Last-Modified", "last-modified":
		return "Last-Modified"
	case "Connection", "connection":
		return "Connection"
	case "Etag", "ETag", "etag":
		return "Etag"
	case "Accept-Ranges", "accept-ranges":
		return "Accept-Ranges"
	case "Cache-Control", "cache-control":
		return "Cache-Control"
	case "Vary", "vary":
		return "Vary"
	case "Set-Cookie", "set-cookie":
		return "Set-Cookie"
	case "Location", "location":
		return "Location"
	case "Transfer-Encoding", "transfer-encoding":
		return "Transfer-Encoding"
	case "Content-Encoding", "content-encoding":
		return "Content-Encoding"
	case "Expires", "expires":
		return "Expires"
	case "Keep-Alive", "keep-alive":
		return "Keep-Alive"
	case "Access-Control-Allow-Origin", "access-control-allow-origin":
		return "Access-Control-Allow-Origin"
	case "Age", "age":
		return "Age"
	case "Via", "via":
		return "Via"
	case "Link", "link":
		return "Link"
	case "Pragma", "pragma":
		return "Pragma"
	case "Strict-Transport-Security", "strict-transport-security":
		return "Strict-Transport-Security"
	case "X-Content-Type-Options", "x-content-type-options":
		return "X-Content-Type-Options"
	case "X-Frame-Options", "x-frame-options":
		return "X-Frame-Options"
	case "Content-Security-Policy", "content-security-policy":
		return "Content-Security-Policy"
	case "Alt-Svc", "alt-svc":
		return "Alt-Svc"
	case "Content-Disposition", "content-disposition":
		return "Content-Disposition"
	case "Content-Language", "content-language":
		return "Content-Language"
	case "Retry-After", "retry-after":
		return "Retry-After"
	case "Www-Authenticate", "WWW-Authenticate", "www-authenticate":
		return "Www-Authenticate"
	case "Referrer-Policy", "referrer-policy":
		return "Referrer-Policy"
	case "Content-Range", "content-range":
		return "Content-Range"
	case "Trailer", "trailer":
		return "Trailer"
	case "Upgrade", "upgrade":
		return "Upgrade"
	case "Allow", "allow":
		return "Allow"
	}
	return http.CanonicalHeaderKey(name)
}
