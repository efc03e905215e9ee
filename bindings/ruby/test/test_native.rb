# frozen_string_literal: true

require_relative "test_helper"
require_relative "../tools/generate"

# The attach_function table cannot drift from the C API, and every C
# function is reachable from the Ruby API or listed here as left out.
class TestNative < Minitest::Test
  include ReqcTest

  JSON_PATH = File.join(ROOT, "include", "reqc.json")

  # C functions the Ruby API does not call, each with the reason.
  LEFT_OUT = {
    reqc_batch_poll: "the event-loop interface is for C programs with their own loop; Batch#run performs",
    reqc_batch_set_socket_callbacks: "event-loop interface (see reqc_batch_poll)",
    reqc_batch_start: "event-loop interface (see reqc_batch_poll)",
    reqc_batch_socket_action: "event-loop interface (see reqc_batch_poll)",
    reqc_batch_timeout_action: "event-loop interface (see reqc_batch_poll)",
    reqc_code_name: "Reqc::Error#code is the name, from the generated constants",
    reqc_config_set_verbose_fd: "Reqc.config.verbose takes any IO through the log callback",
    reqc_session_set_verbose_fd: "Session#verbose= takes any IO through the log callback",
    reqc_request_body_kind: "Request#body returns the bytes; the kind is a C detail",
    reqc_response_encoding: "Response#text is already decoded to UTF-8",
    reqc_response_header_at: "Response#headers reads every line at once through reqc_response_header_views",
    reqc_response_link_count: "Response#link(rel) answers the usual question",
    reqc_response_link_at: "Response#link(rel) answers the usual question",
    reqc_response_link_param: "Response#link(rel) answers the usual question",
    reqc_response_remote_port: "Response#remote_ip; the port is rarely wanted",
    reqc_hook_ctx_error: "read by HookContext on a failed edit",
  }.freeze

  def api
    @api ||= JSON.parse(File.read(JSON_PATH))
  end

  def test_generated_table_is_up_to_date
    generated = ReqcGenerator.render(api)
    committed = File.read(ReqcGenerator::DEFAULT_OUTPUT)
    assert_equal generated, committed,
                 "lib/reqc/native/api.rb is out of date with include/reqc.json: run ruby bindings/ruby/tools/generate.rb"
  end

  # Constants of no family reach Ruby too, and the batch default is libreqc's.
  def test_loose_constants_and_the_default_concurrency
    api["constants"].each { |c| assert_equal c["value"], Reqc::Native::CONSTANTS.fetch(c["name"].to_sym), c["name"] }
    assert_equal 64, Reqc::DEFAULT_CONCURRENCY
    assert_equal Reqc::DEFAULT_CONCURRENCY, Reqc::Native::CONSTANTS.fetch(:REQC_BATCH_DEFAULT_CONCURRENCY)
  end

  def test_every_function_is_attached_with_its_blocking_flag
    api["functions"].each do |f|
      name = f["name"].to_sym
      assert Reqc::Native.respond_to?(name), "#{name} not attached"
      args, _ret, blocking = Reqc::Native::FUNCTIONS.fetch(name)
      assert_equal f["params"].size, args.size, name
      assert_equal !!f["may_block"], blocking, "#{name}: blocking: must follow may_block"
    end
    assert Reqc::Native::FUNCTIONS[:reqc_session_send][2], "a send releases the GVL"
  end

  def test_every_function_is_wrapped_or_left_out_with_a_reason
    sources = Dir[File.expand_path("../lib/**/*.rb", __dir__)].reject { |f| f.end_with?("native/api.rb") }
    text = sources.map { |f| File.read(f) }.join("\n")
    # Setters reached through Options#setter by their suffix (set_header...),
    # on requests, sessions and (Config#update) the global config.
    prefixed = text.scan(/setter\(:(\w+)/).flatten.flat_map { |s| %w[request session config].map { |o| "reqc_#{o}_#{s}" } }
    missing = api["functions"].map { |f| f["name"] }.reject do |name|
      text.include?(name) || prefixed.include?(name) || LEFT_OUT.key?(name.to_sym)
    end
    assert_empty missing, "C functions neither wrapped nor in LEFT_OUT (with a reason)"
    stale = LEFT_OUT.keys.map(&:to_s) - api["functions"].map { |f| f["name"] }
    assert_empty stale, "LEFT_OUT names functions that no longer exist"
  end

  def test_error_classes_per_code
    assert_equal Reqc::TimeoutError, Reqc::Error.for(:REQC_E_TIMEOUT)
    assert_equal Reqc::ConnectError, Reqc::Error.for(Reqc::Native::CONSTANTS[:REQC_E_CONNECT])
    assert_equal Reqc::InvalidURLError, Reqc::Error.for(:REQC_E_INVALID_URL)
    assert_equal Reqc::TLSError, Reqc::Error.for(:REQC_E_TLS)
    Reqc::Native::FAMILIES[:reqc_code].each_key do |name|
      next if name == :REQC_OK

      assert Reqc::Error.for(name) < Reqc::Error, name
    end
  end

  # The Ruby names of hook kinds, log levels, HTTP and TLS versions, options
  # and timings come from include/reqc.json: every constant of each family
  # has one (none forgotten, as HTTP/3 once was).
  def test_named_constants_cover_their_families
    {
      reqc_hook_kind: Reqc::Hooks::KINDS, reqc_log_level: Reqc::Logging::LEVELS,
      reqc_http_version: Reqc::Options::HTTP_VERSIONS, reqc_tls_version: Reqc::Options::TLS_VERSIONS,
      reqc_option: Reqc::Options::OPTION_NAMES, reqc_timing: Reqc::Response::TIMINGS
    }.each do |family, table|
      assert_equal Reqc::Native::FAMILIES.fetch(family).keys.sort, table.values.uniq.sort, family
    end
    assert_equal %i[args pre_request post_request headers response], Reqc::Hooks::KINDS.keys
    assert_equal %i[off requests headers wire], Reqc::Logging::LEVELS.keys
    assert_equal %i[1.2 1.3], Reqc::Options::TLS_VERSIONS.keys
    assert_equal %i[any 1.0 1.1 2 2_prior_knowledge 3 h2c], Reqc::Options::HTTP_VERSIONS.keys
    assert_equal %i[dns connect tls first_byte total], Reqc::Response::TIMINGS.keys
    # http_version: "3" reaches libreqc, which refuses it only when its libcurl lacks HTTP/3.
    make = -> { Reqc::Request.new(:get, "http://127.0.0.1/", http_version: "3").close }
    if Reqc.feature?("http3")
      make.call
    else
      assert_match(/REQC_HTTP_VERSION/, assert_raises(Reqc::InvalidArgumentError, &make).message)
    end
  end

  def test_library_found_by_soname_or_env
    assert_match(/libreqc/, Reqc.library_version)
    assert_operator Reqc.library_version_number, :>, 0
    assert Reqc.feature?("http2")
    refute Reqc.feature?("no-such-feature")
    assert_equal ENV.fetch("REQC_LIB", "libreqc.so.0").then { |v| v.empty? ? "libreqc.so.0" : v }, Reqc::Native::LIBRARY
  end
end
