# frozen_string_literal: true

module Reqc
  # A session: default headers, params, auth and settings for its requests,
  # a cookie jar, kept-alive connections, hooks and a log sink. Safe to use
  # from several threads at once.
  #
  #   Reqc::Session.open(headers: { "x-test" => "true" }, auth: ["user", "pass"]) do |s|
  #     s.get("https://example.com/headers")
  #   end                       # closed here, exceptions included
  class Session
    include Options

    # With a block: yields the session and closes it when the block ends
    # (Ruby's `with`), returning the block's value; without, the session.
    def self.open(**options)
      session = new(**options)
      return session unless block_given?

      begin
        yield session
      ensure
        session.close
      end
    end

    # Options: those of Options::COMMON, as the defaults of every request.
    def initialize(**options)
      out = FFI::MemoryPointer.new(:pointer)
      Native.check(Native.reqc_session_new(out)) { "reqc_session_new failed" }
      @ptr = FFI::AutoPointer.new(out.read_pointer, Native::RELEASE[:reqc_session_free])
      @held_callbacks = {} # made here: two threads adding hooks must not each make one
      apply_options(options)
    end

    # get(url, **options), post, put, patch, delete, head, options: see
    # #request. The sequential hot path: plain `def`s (a define_method block
    # costs more per call) taking the options as a trailing Hash (keywords
    # given to a method without keyword parameters arrive as one), so a
    # send without options allocates none and goes straight to
    # Sending.send_plain.
    %w[get post put patch delete head options].each do |verb|
      class_eval <<~RUBY, __FILE__, __LINE__ + 1
        def #{verb}(url, options = nil, &block)
          return request("#{verb.upcase}", url, **options, &block) if options

          Sending.send_plain("#{verb.upcase}".freeze, url, self)
        end
      RUBY
    end

    # Sends `method url` with the session's defaults; see Request.new.
    # `stream: true`: as #stream.
    def request(method, url, stream: false, **options, &block)
      return Reqc.stream(method, url, session: self, **options, &block) if stream

      Sending.send_new(method.to_s.upcase, url, options, self)
    end

    # Sends `request` (a Reqc::Request; left as it was, re-sendable).
    def perform(request)
      Sending.send_copy(request, self)
    end

    # Opens `method url` through this session as a Reqc::StreamedResponse
    # (see Reqc.stream): the body is read with #each_chunk as it arrives.
    def stream(method, url, **options, &block)
      Reqc.stream(method, url, session: self, **options, &block)
    end

    # Registers a hook block (:args, :pre_request, :post_request, :headers, :response)
    # on every request of this session; returns its id (#remove_hook).
    def hook(kind, &block)
      Hooks.add(self, :reqc_session_add_hook, kind, block)
    end

    def remove_hook(id)
      setter(:remove_hook, id)
      self
    end

    # Reqc.map through this session (its cookies, defaults, connections).
    def map(requests, **options, &block)
      Reqc.map(requests, session: self, **options, &block)
    end

    # Logs this session's sends to `sink` (an IO, a Logger, a callable, or
    # nil to go back to the global config's sink) at `level`.
    def verbose=(sink)
      Logging.set(sink, @log_level || :requests, owner: self) do |level, fn, userdata, free|
        setter(:set_log_callback, level, 0, fn, userdata, free)
      end
      @verbose = sink
    end
    attr_reader :verbose

    def log_level=(level)
      @log_level = level.to_sym
      self.verbose = @verbose if @verbose
    end

    # The value of cookie `name` that a request to `url` would send, or nil.
    def cookie(url, name)
      out = FFI::MemoryPointer.new(:pointer)
      code = Native.reqc_session_get_cookie(handle, url.to_s, name.to_s, out)
      return nil if code == Native::CONSTANTS[:REQC_E_NOT_FOUND]

      Native.check(code) { native_error }
      Reqc.take_string(out.read_pointer)
    end

    # Stores a cookie as if a response from `url` had set it.
    def set_cookie(url, set_cookie)
      setter(:set_cookie, url.to_s, set_cookie.to_s)
      self
    end

    # Every cookie in the jar (Reqc::Cookie structs).
    def cookies
      out = FFI::MemoryPointer.new(:pointer)
      Native.check(Native.reqc_session_cookies(handle, out)) { native_error }
      list = FFI::AutoPointer.new(out.read_pointer, Native::RELEASE[:reqc_cookie_list_free])
      cookie = FFI::MemoryPointer.new(:pointer)
      Array.new(Native.reqc_cookie_list_count(list)) do |i|
        Native.reqc_cookie_list_at(list, i, cookie)
        Cookie.read(cookie.read_pointer)
      end
    ensure
      list&.free
    end

    def delete_cookie(domain, path, name)
      setter(:delete_cookie, domain.to_s, path.to_s, name.to_s)
      self
    end

    def clear_cookies
      setter(:clear_cookies)
      self
    end

    # The jar in the Netscape cookies.txt format.
    def export_cookies
      out = FFI::MemoryPointer.new(:pointer)
      Native.check(Native.reqc_session_export_cookies(handle, out)) { native_error }
      Reqc.take_string(out.read_pointer)
    end

    # Adds the cookies of a cookies.txt text; returns how many.
    def import_cookies(text)
      count = FFI::MemoryPointer.new(:size_t)
      setter(:import_cookies, text.to_s, count)
      count.read(:size_t)
    end

    # Frees the session now (its connections close; a running batch keeps
    # it alive until done). Later calls raise Reqc::InvalidStateError.
    def close
      @ptr&.free
      @ptr = nil
    end

    def closed?
      @ptr.nil?
    end

    # Keeps a hook's block or the log sink's writer while libreqc may call
    # it (Callbacks.register); #release_callback drops it.
    def hold_callback(id, object) # :nodoc:
      @held_callbacks[id] = object
    end

    def release_callback(id) # :nodoc:
      @held_callbacks.delete(id)
    end

    def handle # :nodoc:
      @ptr or raise InvalidStateError.new("the session is closed", code: :REQC_E_INVALID_STATE)
    end

    private

    def setter_prefix
      "reqc_session_"
    end

    def native_error
      Native.reqc_session_error(handle)
    end
  end
end
