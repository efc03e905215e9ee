# frozen_string_literal: true

module Reqc
  # Log sinks: an IO (a line written per event), a Logger (info; debug for
  # the wire level), or anything callable (called with the line and the
  # level). Lines come from libreqc with secrets redacted.
  module Logging
    # :off, :requests, :headers, :wire.
    LEVELS = Native.names(:reqc_log_level, "REQC_LOG_LEVEL_")
    LEVEL_NAMES = LEVELS.to_h { |name, c| [Native::CONSTANTS.fetch(c), name] }.freeze

    module_function

    def level(name)
      Native::CONSTANTS.fetch(LEVELS.fetch(name.to_sym) { raise ArgumentError, "log level: #{LEVELS.keys.join(', ')}" })
    end

    # Yields the C arguments of a set_log_callback call for `sink` at
    # `level_name` (nil or false: logging off); a session's sink is held by
    # the session (`owner`, see Callbacks.register).
    def set(sink, level_name, owner: nil)
      if sink.nil? || sink == false
        yield level(:off), nil, nil, nil
      else
        writer = writer_for(sink)
        yield level(level_name), LOG, Callbacks.register(writer, owner: owner), Callbacks::FREE
      end
    end

    def writer_for(sink)
      if sink.respond_to?(:add) && sink.respond_to?(:info) # a Logger
        ->(line, level) { level == :wire ? sink.debug(line) : sink.info(line) }
      elsif sink.respond_to?(:write)
        ->(line, _level) { sink.write(line.end_with?("\n") ? line : "#{line}\n") }
      elsif sink.respond_to?(:call)
        ->(line, level) { sink.call(line, level) }
      else
        raise ArgumentError, "verbose: an IO, a Logger, a callable, or nil"
      end
    end

    LOG = FFI::Function.new(:void, [:pointer, :int, :string]) do |userdata, level, line|
      Callbacks.guard(nil) do
        Callbacks.fetch(userdata)&.call(line.force_encoding(Encoding::UTF_8), LEVEL_NAMES[level])
        nil
      end
    end
  end

  # The process-wide defaults (reqc_config_*): `Reqc.config.verbose =
  # $stderr`, `Reqc.config.user_agent = "..."`, ... Request > session >
  # config > built-in.
  class Config
    include Options

    def initialize
      @log_level = :requests
      @verbose = nil
    end

    attr_reader :verbose, :log_level

    # Logs every send of the process (unless its session has its own sink).
    def verbose=(sink)
      Logging.set(sink, @log_level) do |level, fn, userdata, free|
        check(Native.reqc_config_set_log_callback(level, 0, fn, userdata, free))
      end
      @verbose = sink
    end

    def log_level=(level)
      Logging.level(level)
      @log_level = level.to_sym
      self.verbose = @verbose if @verbose
    end

    def user_agent=(agent)
      check(Native.reqc_config_set_user_agent(agent.to_s))
    end

    def proxy=(proxy)
      check(Native.reqc_config_set_proxy(proxy&.to_s))
    end

    # Seconds, for the whole send (0: no limit).
    def timeout=(seconds)
      check(Native.reqc_config_set_timeout_ms((seconds * 1000).round))
    end

    def retries=(retries)
      check(Native.reqc_config_set_retries(Integer(retries) + 1))
    end

    def verify=(verify)
      check(Native.reqc_config_set_verify_tls(verify ? 1 : 0))
    end

    # At least `bytes_per_second` over any `window` seconds, or
    # Reqc::TimeoutError.
    def speed_floor(bytes_per_second, window)
      check(Native.reqc_config_set_speed_floor(Integer(bytes_per_second), (window * 1000).round))
      self
    end

    # Sets any of the options Options::COMMON lists that exist globally
    # (timeout:, read_timeout:, headers:, proxy:, verify:, ca_file:, cert:,
    # http_version:, retries:, ...): Reqc.config.update(timeout: 30).
    # Options that only requests and sessions have (params:, auth:) raise
    # ArgumentError. Returns self.
    def update(**options)
      apply_options(options)
      self
    end

    # Back to the built-in defaults (logging off too).
    def reset
      check(Native.reqc_config_reset)
      self.verbose = nil
      @log_level = :requests
      self
    end

    private

    def check(code)
      Native.check(code) { Native.reqc_config_error }
    end

    # Options' setters, on the global config (no handle).
    def setter(name, *args)
      function = :"reqc_config_#{name}"
      raise ArgumentError, "#{name.to_s.delete_prefix('set_')}: not a global setting" unless Native.respond_to?(function)

      check(Native.public_send(function, *args))
    end
  end

  @config = Config.new

  class << self
    attr_reader :config
  end
end
