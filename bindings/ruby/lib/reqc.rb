# frozen_string_literal: true

# libreqc for Ruby: Requests' features (sessions, cookies, hooks, a
# concurrent map, verbose logging) over libreqc's C API, through ruby-ffi.
# See docs/ruby.md.
#
#   require "reqc"
#   r = Reqc.get("https://example.com/get", params: { q: "ruby" })
#   r.status; r.headers["content-type"]; r.json
require_relative "reqc/version"
require_relative "reqc/native"
require_relative "reqc/collected"
require_relative "reqc/errors"
require_relative "reqc/callbacks"
require_relative "reqc/interrupts"
require_relative "reqc/headers"
require_relative "reqc/options"
require_relative "reqc/response"
require_relative "reqc/request"
require_relative "reqc/hooks"
require_relative "reqc/per_thread"
require_relative "reqc/sending"
require_relative "reqc/session"
require_relative "reqc/logging"
require_relative "reqc/batch"
require_relative "reqc/stream"

module Reqc
  module_function

  %w[get post put patch delete head options].each do |verb|
    # Reqc.get(url, params:, headers:, json:, data:, files:, auth:,
    # timeout:, retries:, stream:, ...) and the other verbs: one send without
    # a session; returns a Reqc::Response or raises a Reqc::Error. (Plain
    # `def`s: see Session#get.)
    module_eval <<~RUBY, __FILE__, __LINE__ + 1
      def #{verb}(url, options = nil, &block)
        return request("#{verb.upcase}", url, **options, &block) if options

        Sending.send_plain("#{verb.upcase}".freeze, url, nil)
      end
    RUBY
    module_function verb
  end

  # Sends `method url` without a session (see Request.new for the options).
  # `stream: true` returns a Reqc::StreamedResponse instead (Reqc.stream;
  # with a block: yielded, closed when the block ends).
  def request(method, url, stream: false, **options, &block)
    return Reqc.stream(method, url, **options, &block) if stream

    Sending.send_new(method, url, options, nil)
  end

  # Sends a Reqc::Request without a session (the request is unchanged).
  def perform(request)
    Sending.send_copy(request, nil)
  end

  # libreqc's version as one number, 0xMMmmpp (as REQC_VERSION_NUMBER).
  def library_version_number
    Native.reqc_version_number
  end

  # Whether this libreqc build has `feature` ("http2", "https", "brotli", "zstd", ...).
  def feature?(feature)
    Native.reqc_has_feature(feature.to_s) != 0
  end

  # libreqc's version string, e.g. "libreqc 1.0.0 (libcurl 8.x ...)".
  def library_version
    Native.reqc_version
  end
end
