# frozen_string_literal: true

require_relative "test_helper"
require "logger"

# Reqc::Session: the block form, defaults, cookies, hooks, logging.
class TestSessions < Minitest::Test
  include ReqcTest

  def test_block_form_closes_on_exit_and_on_exception
    kept = nil
    value = Reqc::Session.open(headers: { "x-test" => "true" }, auth: %w[user pass]) do |s|
      kept = s
      h = s.get(url("/headers")).json["headers"]
      assert_equal "true", h["X-Test"]
      assert_match(/\ABasic /, h["Authorization"])
      :block_value
    end
    assert_equal :block_value, value
    assert kept.closed?
    assert_raises(Reqc::InvalidStateError) { kept.get(url("/get")) }
    assert_raises(RuntimeError) { Reqc::Session.open { |s| kept = s; raise "inside" } }
    assert kept.closed?
  end

  def test_precedence_request_over_session
    Reqc::Session.open(headers: { "X-Layer" => "session", "X-Gone" => "s" }, params: { a: 1 }) do |s|
      h = s.get(url("/anything"), headers: { "X-Layer" => "request", "X-Gone" => nil }, params: { b: 2 }).json
      assert_equal "request", h["headers"]["X-Layer"]
      refute h["headers"].key?("X-Gone")
      assert_equal({ "a" => "1", "b" => "2" }, h["args"])
    end
  end

  def test_cookie_jar
    Reqc::Session.open do |s|
      s.get(url("/cookies/set?session=abc"))
      assert_equal "abc", s.cookie(url("/"), "session")
      assert_nil s.cookie(url("/"), "absent")
      assert_equal({ "session" => "abc" }, s.get(url("/cookies")).json["cookies"])
      s.set_cookie(url("/"), "extra=1; Path=/")
      assert_equal %w[extra session], s.cookies.map(&:name).sort
      text = s.export_cookies
      s.clear_cookies
      assert_empty s.cookies
      assert_equal 2, s.import_cookies(text)
      s.delete_cookie("127.0.0.1", "/", "extra")
      assert_equal %w[session], s.cookies.map(&:name)
    end
  end

  def test_seed_hooks_print_url_and_hack_headers
    printed = []
    Reqc::Session.open do |s|
      s.hook(:response) { |r| printed << r.url } # print_url
      hack = s.hook(:args) { |req| req["X-Testing"] = "True" } # hack_headers
      assert_equal "True", s.get(url("/headers")).json["headers"]["X-Testing"]
      s.remove_hook(hack)
      refute s.get(url("/headers")).json["headers"].key?("X-Testing")
    end
    assert_equal [url("/headers")] * 2, printed
  end

  def test_hook_sees_every_hop_and_context
    seen = []
    Reqc::Session.open do |s|
      s.hook(:response) { |r, ctx| seen << [r.status, ctx.hop, ctx.kind, ctx.attempt] }
      s.hook(:pre_request) { |req, ctx| seen << [req.method_name, ctx.kind] }
      s.get(url("/redirect/1"))
    end
    assert_equal [["GET", :pre_request], [302, 0, :response, 1], ["GET", :pre_request], [200, 1, :response, 1]], seen
  end

  def test_headers_hook_sees_the_head_and_may_refuse_the_body
    seen = []
    Reqc::Session.open do |s|
      s.hook(:headers) { |r, ctx| seen << [ctx.kind, r.status, r.headers["content-type"], r.body.bytesize] }
      assert_equal 1000, s.get(url("/bytes/1000")).body.bytesize
      assert_equal [[:headers, 200, "application/octet-stream", 0]], seen
    end
    got = +""
    req = Reqc::Request.new(:get, url("/bytes/100000")).on_data { |chunk| got << chunk }
    req.hook(:headers) { |r| r.headers["content-length"].to_i > 50_000 ? :abort : nil }
    assert_match(/headers hook aborted/, assert_raises(Reqc::AbortedError) { Reqc.perform(req) }.message)
    assert_equal "", got, "no body byte after a refusal"
    req = Reqc::Request.new(:get, url("/bytes/100"))
    req.hook(:headers) { raise ArgumentError, "head" }
    assert_equal "head", assert_raises(ArgumentError) { Reqc.perform(req) }.message
  end

  def test_on_data_abort
    n = 0
    req = Reqc::Request.new(:get, url("/bytes/200000")).on_data { n += 1; :abort }
    assert_raises(Reqc::AbortedError) { Reqc.perform(req) }
    assert_equal 1, n
  end

  def test_hook_return_value_replaces_the_response
    Reqc::Session.open do |s|
      s.hook(:response) { |r| r.status == 404 ? Reqc.get(url("/status/201")) : nil }
      assert_equal 201, s.get(url("/status/404")).status
      assert_equal 200, s.get(url("/status/200")).status
    end
    r = Reqc.perform(Reqc::Request.new(:get, url("/get")).tap do |req|
      req.hook(:response) do |_r, ctx|
        ctx.status = 299
        ctx.set_header("X-Hooked", "yes")
        ctx.body = "replaced"
      end
    end)
    assert_equal [299, "yes", "replaced"], [r.status, r.headers["x-hooked"], r.body]
  end

  def test_lent_objects_end_with_the_hook
    kept = nil
    Reqc::Session.open do |s|
      s.hook(:response) { |r| kept = r }
      s.get(url("/get"))
    end
    assert_raises(Reqc::InvalidStateError) { kept.status }
  end

  def test_global_config_is_the_lowest_layer
    Reqc.config.update(headers: { "X-Global" => "g", "X-Both" => "g" }, read_timeout: 0.2)
    Reqc.config.user_agent = "ruby-test/1"
    h = Reqc.get(url("/headers"), headers: { "X-Both" => "r" }).json["headers"]
    assert_equal %w[g r ruby-test/1], h.values_at("X-Global", "X-Both", "User-Agent")
    assert_raises(Reqc::TimeoutError) { Reqc.get(url("/delay/1")) }
    Reqc.config.unset(:read_timeout)
    assert_equal 200, Reqc.get(url("/delay/0")).status
    assert_raises(ArgumentError) { Reqc.config.update(params: { a: 1 }) }
  ensure
    Reqc.config.reset
  end

  def test_verbose_to_io_logger_and_callable
    io = StringIO.new
    Reqc.config.verbose = io
    Reqc.get(url("/status/404"))
    Reqc.config.verbose = nil
    Reqc.get(url("/get"))
    lines = io.string.lines
    assert_equal 2, lines.size, io.string
    assert_match %r{\A\d{4}-\d\d-\d\dT[\d:.]+\s+GET\s+#{Regexp.escape(url('/status/404'))}$}, lines[0]
    assert_match(/404/, lines[1])

    log = StringIO.new
    Reqc::Session.open do |s|
      s.verbose = Logger.new(log)
      s.log_level = :headers
      s.get(url("/get"), auth: %w[u secret])
      got = []
      s.verbose = ->(line, level) { got << [level, line] }
      s.get(url("/get"))
      assert_equal :requests, got.first[0]
    end
    assert_match(/INFO -- : .*GET/, log.string)
    assert_match(/Authorization: /i, log.string)
    refute_match(/dTpzZWNyZXQ/, log.string) # the credentials are redacted
  ensure
    Reqc.config.reset
  end
end
