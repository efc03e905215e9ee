# frozen_string_literal: true

module Reqc
  # An unsent request: `Reqc::Request.new(:post, url, json: {...}, headers:
  # {...}, ...)`, sent with `Reqc.send_request(req)`, `session.perform(req)`
  # or in a batch (`Reqc.map`). Sending never changes it: it can be sent
  # again. A lent request (the one a hook sees, `response.request`) has no
  # finalizer and is valid only while its owner is.
  class Request
    include Options

    # The options Request.new takes beyond the shared ones (Options::COMMON).
    BODY = %i[json data content_type files cookies].freeze

    def self.lend(pointer, owner) # :nodoc:
      request = allocate
      request.instance_variable_set(:@ptr, pointer)
      request.instance_variable_set(:@owner, owner)
      request
    end

    # `method`: "GET", :post, "PURGE"...; `url`: absolute http(s). Options:
    # headers:, params: (a Hash or [[name, value], ...]), json: (any object,
    # JSON-encoded), data: (a String body, or a Hash of form fields),
    # content_type: (a String body's type, which a Content-Type header beats),
    # files: ({ field => File | [filename, data, content_type] | data }),
    # auth:, timeout: / read_timeout: / connect_timeout: (seconds),
    # retries:, allow_redirects:, max_redirects:, verify:, proxy:, cookies:
    # (a Hash sent as this request's Cookie), and the rest of Options::COMMON.
    def initialize(method, url, json: nil, data: nil, content_type: nil, files: nil, cookies: nil, **options)
      @ptr = FFI::AutoPointer.new(Request.create(method, url), Native::RELEASE[:reqc_request_free])
      @owner = nil
      configure(json, data, content_type, files, cookies, options)
    end

    # A request for one send made by this gem (Reqc.get, Session#get, ...):
    # no finalizer, freed by the caller's ensure (#close), which saves the
    # GC's bookkeeping on every send.
    # A plain GET (no options) skips the keyword parsing and configuration
    # altogether: that was half of this method's cost.
    def self.transient(method, url, **options) # :nodoc:
      request = allocate.adopt_transient(create(method, url))
      return request if options.empty?

      begin
        request.send(:configure_options, **options)
      rescue Exception # rubocop:disable Lint/RescueException: free it on every path
        request.close
        raise
      end
      request
    end

    # Makes this (allocated, uninitialized) object the transient owner of
    # the reqc_request * `pointer`; returns self.
    def adopt_transient(pointer) # :nodoc:
      @ptr = pointer
      @owner = nil
      @transient = true
      self
    end

    # A new reqc_request * (the caller owns it). `out`: memory for one
    # pointer, to reuse (PerThread#scratch). The failure message is asked
    # for only on failure (a second call), saving a MemoryPointer per send.
    def self.create(method, url, out = FFI::MemoryPointer.new(:pointer)) # :nodoc:
      method = method.to_s
      url = url.to_s
      code = Native.reqc_request_new(method, url, out, nil)
      return out.read_pointer if code.zero?

      message = FFI::MemoryPointer.new(:pointer)
      code = Native.reqc_request_new(method, url, out, message)
      raise Error.from(code, Reqc.take_string(message.read_pointer)) unless code.zero?

      out.read_pointer # (a retry that worked)
    end

    def method_name
      Native.reqc_request_method(handle)
    end
    alias verb method_name

    def method_name=(method)
      setter(:set_method, method.to_s)
    end

    def url
      Native.reqc_request_url(handle)
    end

    def url=(url)
      setter(:set_url, url.to_s)
    end

    # The first value of request header `name`, or nil.
    def [](name)
      Native.reqc_request_header(handle, name.to_s)
    end

    def []=(name, value)
      header(name, value)
    end

    # Every header set so far (on a hook's request: as it will be sent).
    def headers
      name = FFI::MemoryPointer.new(:pointer)
      value = FFI::MemoryPointer.new(:pointer)
      Headers.new(Array.new(Native.reqc_request_header_count(handle)) do |i|
        Native.reqc_request_header_at(handle, i, name, value)
        [name.read_pointer.read_string, value.read_pointer.read_string]
      end)
    end

    # The body bytes (nil for none or a streamed one).
    def body
      len = FFI::MemoryPointer.new(:size_t)
      data = Native.reqc_request_body(handle, len)
      data.null? ? nil : data.read_bytes(len.read(:size_t))
    end

    # Registers a hook block for `kind` (:args, :pre_request, :post_request,
    # :headers, :response) on this request; returns its id (#remove_hook).
    def hook(kind, &block)
      Hooks.add(self, :reqc_request_add_hook, kind, block)
    end

    def remove_hook(id)
      setter(:remove_hook, id)
      self
    end

    # Streams the response body to the block as it arrives (the response's
    # body is then empty). The block returning :abort stops the download
    # (Reqc::AbortedError); its exception aborts the send and is raised.
    def on_data(&block)
      raise ArgumentError, "on_data needs a block" unless block

      setter(:set_data_callback, Hooks::DATA, Callbacks.register(block), Callbacks::FREE)
      self
    end

    # Streams the upload from the block: it is called with a byte budget and
    # returns a String (at most that many bytes), or nil / "" at the end.
    # `length`: the body's size, or nil when unknown (chunked).
    def body_stream(length = nil, &block)
      raise ArgumentError, "body_stream needs a block" unless block

      setter(:set_body_callback, length || -1, Hooks::READ, Callbacks.register(block), Callbacks::FREE)
      self
    end

    # A copy with its own state (hooks shared, as in C).
    def dup
      copy = self.class.allocate
      copy.instance_variable_set(:@ptr, FFI::AutoPointer.new(clone_handle, Native::RELEASE[:reqc_request_free]))
      copy.instance_variable_set(:@owner, nil)
      copy
    end
    alias clone dup

    # A copy for one send (see Request.transient): what a cancel sticks to.
    def transient_copy # :nodoc:
      self.class.allocate.adopt_transient(clone_handle)
    end

    # Gives the C handle of a transient request away (to a batch's source
    # callback, which takes it over): this object is closed, nothing freed.
    def hand_over # :nodoc:
      raise InvalidStateError.new("only a transient request is handed over", code: :REQC_E_INVALID_STATE) unless @transient

      pointer = handle
      @ptr = nil
      pointer
    end

    # Frees the C request now (an owned one; lent ones just end).
    def close
      if @transient
        Native.reqc_request_free(@ptr) if @ptr
      elsif @ptr.is_a?(FFI::AutoPointer) && !@owner
        @ptr.free
      end
      @ptr = nil
    end

    def inspect
      @ptr ? "#<Reqc::Request #{method_name} #{url}>" : "#<Reqc::Request (closed)>"
    end

    def handle # :nodoc:
      @ptr or raise InvalidStateError.new("the request is closed (or was lent to a callback that returned)",
                                          code: :REQC_E_INVALID_STATE)
    end

    def invalidate! # :nodoc:
      @ptr = nil
    end

    private

    def clone_handle
      out = FFI::MemoryPointer.new(:pointer)
      Native.check(Native.reqc_request_clone(handle, out)) { native_error }
      out.read_pointer
    end

    def configure_options(json: nil, data: nil, content_type: nil, files: nil, cookies: nil, **options)
      configure(json, data, content_type, files, cookies, options)
    end

    def configure(json, data, content_type, files, cookies, options)
      apply_options(options) unless options.empty?
      cookies&.each { |name, value| setter(:set_cookie, name.to_s, value.to_s) }
      set_body(json, data, content_type, files) if json || data || files
    end

    def set_body(json, data, content_type, files)
      setter(:set_json, JSON.generate(json)) unless json.nil?
      case data
      when nil then nil
      when String
        bytes = data.b
        buffer = FFI::MemoryPointer.from_string(bytes) # NUL-terminated copy; len given
        setter(:set_body, buffer, bytes.bytesize, content_type&.to_s)
      when Hash, Array then data.each { |name, value| setter(:add_form_field, name.to_s, value.to_s) }
      else raise ArgumentError, "data: a String or a Hash of form fields"
      end
      files&.each { |field, file| add_file(field.to_s, file) }
    end

    def add_file(field, file)
      if file.respond_to?(:path) && file.respond_to?(:read) || (defined?(Pathname) && file.is_a?(Pathname))
        path = file.respond_to?(:to_path) ? file.to_path : file.path
        setter(:add_file, field, path.to_s, File.basename(path.to_s), nil)
      else
        filename, data, content_type = file.is_a?(Array) ? file : [field, file, nil]
        bytes = data.to_s.b
        setter(:add_file_data, field, filename.to_s, FFI::MemoryPointer.from_string(bytes), bytes.bytesize,
               content_type&.to_s)
      end
    end

    def setter_prefix
      "reqc_request_"
    end

    def native_error
      Native.reqc_request_error(handle)
    end
  end
end
