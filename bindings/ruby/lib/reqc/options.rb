# frozen_string_literal: true

require "json"

module Reqc
  # The keyword options shared by requests and sessions (a session's are the
  # defaults of its requests), each mapped to its reqc_request_* or
  # reqc_session_* setter. A class including this defines `setter_prefix`
  # ("reqc_request_" or "reqc_session_") and `native_error`.
  module Options
    # Options both take. Everything else is an ArgumentError.
    COMMON = %i[headers params auth timeout read_timeout connect_timeout retries retry_statuses
                retry_backoff allow_redirects max_redirects verify proxy trust_env user_agent
                max_response_bytes http_version secret_headers ca_file ca_dir ca_pem cert min_tls
                speed_floor retry_all_methods].freeze

    # :timeout => :REQC_OPTION_TIMEOUT, ... (Options#unset).
    OPTION_NAMES = Native.names(:reqc_option, "REQC_OPTION_")

    # :"1.2", :"1.3" (min_tls:).
    TLS_VERSIONS = Native.names(:reqc_tls_version, "REQC_TLS_VERSION_")

    # :any, :"1.0", :"1.1", :"2", :"2_prior_knowledge" (also :h2c), :"3"
    # (http_version:).
    HTTP_VERSIONS = Native.names(:reqc_http_version, "REQC_HTTP_VERSION_")
                          .merge(h2c: :REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE).freeze

    # Sets a header (value nil removes it, on this layer and below).
    def header(name, value)
      setter(:set_header, name.to_s, value&.to_s)
      self
    end

    # Adds a header, keeping earlier ones of that name.
    def add_header(name, value)
      setter(:add_header, name.to_s, value.to_s)
      self
    end

    def param(name, value)
      setter(:add_param, name.to_s, value.to_s)
      self
    end

    # auth: [user, password] (basic), { basic: [u, p] }, { digest: [u, p] },
    # { bearer: token }, or :none (no auth, not even a lower layer's).
    def auth=(auth)
      case auth
      when nil then nil
      when :none then setter(:set_auth_none)
      when Array then setter(:set_auth_basic, *auth.map(&:to_s))
      when Hash
        kind, value = auth.first
        case kind.to_sym
        when :basic then setter(:set_auth_basic, *Array(value).map(&:to_s))
        when :digest then setter(:set_auth_digest, *Array(value).map(&:to_s))
        when :bearer then setter(:set_auth_bearer, value.to_s)
        else raise ArgumentError, "auth: unknown kind #{kind.inspect} (basic, digest, bearer)"
        end
      else raise ArgumentError, "auth: [user, password], {basic:|digest: [u, p]}, {bearer: token} or :none"
      end
    end

    # Hands `option` (:timeout, :proxy, :headers, ... : REQC_OPTION_*) back
    # to the layer below: this layer's setting of it is forgotten.
    def unset(option)
      setter(:unset, constant(OPTION_NAMES, option, "unset"))
      self
    end

    private

    def constant(table, value, what)
      Native::CONSTANTS.fetch(table.fetch(value.to_s.to_sym) { raise ArgumentError, "#{what}: one of #{table.keys.join(', ')}" })
    end

    def bytes(value)
      data = value.to_s.b
      [FFI::MemoryPointer.from_string(data), data.bytesize]
    end

    def apply_options(options)
      options.each do |key, value|
        next if value.nil? && key != :headers

        case key
        when :headers then headers_option(value)
        when :params then value.each { |name, v| param(name, v) }
        when :auth then self.auth = value
        when :timeout then setter(:set_timeout_ms, milliseconds(value))
        when :read_timeout then setter(:set_read_timeout_ms, milliseconds(value))
        when :connect_timeout then setter(:set_connect_timeout_ms, milliseconds(value))
        when :retries then setter(:set_retries, Integer(value) + 1)
        when :retry_statuses then retry_statuses(value)
        when :retry_backoff then setter(:set_retry_backoff_ms, *Array(value).map { |s| milliseconds(s) })
        when :allow_redirects then setter(:set_redirects, value ? 1 : 0, Integer(options.fetch(:max_redirects, 30)))
        when :max_redirects then options.key?(:allow_redirects) || setter(:set_redirects, 1, Integer(value))
        when :verify then setter(:set_verify_tls, value ? 1 : 0)
        when :proxy then setter(:set_proxy, value.to_s)
        when :trust_env then setter(:set_trust_env, value ? 1 : 0)
        when :user_agent then setter(:set_user_agent, value.to_s)
        when :max_response_bytes then setter(:set_max_response_bytes, Integer(value))
        when :http_version then setter(:set_http_version, http_version(value))
        when :secret_headers then Array(value).each { |name| setter(:mark_secret_header, name.to_s) }
        when :ca_file then setter(:set_ca_file, value.to_s)
        when :ca_dir then setter(:set_ca_dir, value.to_s)
        when :ca_pem then setter(:set_ca_pem, *bytes(value))
        when :min_tls then setter(:set_min_tls_version, constant(TLS_VERSIONS, value, "min_tls"))
        when :speed_floor then setter(:set_speed_floor, Integer(value[0]), milliseconds(value[1]))
        when :retry_all_methods then setter(:set_retry_all_methods, value ? 1 : 0)
        when :cert then setter(:set_client_cert, *Array(value).map(&:to_s).then { |c| c.size == 1 ? c + [nil] : c })
        else raise ArgumentError, "unknown option #{key}"
        end
      end
    end

    # A Hash sets each header (nil removes it); an Array of pairs adds each
    # in order (repeated names all sent; nil removes).
    def headers_option(headers)
      headers&.each do |name, v|
        headers.is_a?(Array) && !v.nil? ? add_header(name, v) : header(name, v)
      end
    end

    def retry_statuses(statuses)
      list = Array(statuses).map { |s| Integer(s) }
      buffer = FFI::MemoryPointer.new(:int, [list.size, 1].max)
      buffer.write_array_of_int(list)
      setter(:set_retry_statuses, buffer, list.size)
    end

    def http_version(value)
      name = HTTP_VERSIONS.fetch(value.to_s.to_sym) { raise ArgumentError, "http_version: #{HTTP_VERSIONS.keys.join(', ')}" }
      Native::CONSTANTS.fetch(name)
    end

    def milliseconds(seconds)
      raise ArgumentError, "a time in seconds, not #{seconds.inspect}" unless seconds.is_a?(Numeric)

      (seconds * 1000).round
    end

    def setter(name, *args)
      Native.check(Native.public_send(:"#{setter_prefix}#{name}", handle, *args)) { native_error }
    end
  end
end
