# frozen_string_literal: true

module Reqc
  # A libreqc failure: `code` is the C code's name (:REQC_E_TIMEOUT) and
  # `message` libreqc's message ("REQC_E_TIMEOUT: timed out after 200 ms:
  # GET http://..."). Each code has its subclass (Reqc::TimeoutError,
  # Reqc::ConnectError, ...); Reqc::Error.for(code) finds it.
  class Error < StandardError
    attr_reader :code

    def initialize(message = nil, code: nil)
      @code = code
      super(message)
    end

    # The class for a numeric code or a code name.
    def self.for(code)
      name = code.is_a?(Integer) ? Native::CODE_NAMES.fetch(code, :REQC_E_TRANSPORT) : code.to_sym
      CODE_CLASSES.fetch(name, TransportError)
    end

    # An instance for a numeric code and message, raised by the wrappers.
    def self.from(code, message)
      name = code.is_a?(Integer) ? Native::CODE_NAMES.fetch(code, :"REQC_CODE_#{code}") : code.to_sym
      message = name.to_s if message.nil? || message.empty?
      self.for(code).new(message, code: name)
    end
  end

  # The subclass names of the codes whose CamelCase is not the plain one.
  ACRONYMS = { "URL" => "URL", "TLS" => "TLS", "IO" => "IO" }.freeze

  # REQC_E_TOO_MANY_REDIRECTS => TooManyRedirectsError, one per error code.
  CODE_CLASSES = Native::FAMILIES.fetch(:reqc_code).keys.reject { |n| n == :REQC_OK }.to_h do |name|
    words = name.to_s.delete_prefix("REQC_E_").split("_")
    camel = words.map { |w| ACRONYMS.fetch(w) { w.capitalize } }.join
    [name, const_set("#{camel}Error", Class.new(Error))]
  end.freeze

  # Also what a too-many-redirects send got last: the redirect not followed,
  # with its history (Requests' TooManyRedirects.response).
  class TooManyRedirectsError
    attr_accessor :response
  end

  # Response#raise_for_status: a 4xx or 5xx status (not a libreqc code).
  class HTTPError < Error
    attr_reader :response

    def initialize(message, response)
      @response = response
      super(message, code: nil)
    end
  end

  module Native
    # Numeric code => name, e.g. 12 => :REQC_E_TIMEOUT.
    CODE_NAMES = FAMILIES.fetch(:reqc_code).invert.freeze

    module_function

    # Raises the error for `code` unless it is REQC_OK; `message` is a block
    # so the message is read only on failure.
    def check(code)
      return code if code.zero?

      raise Error.from(code, yield)
    end
  end
end
