# frozen_string_literal: true

require_relative "test_helper"

# The shared conformance cases (tests/conformance/*.json, schema in its
# README), run through the Ruby API: one test per case, as the C and C++
# runners do, so every language sends the same bytes and reports the same
# results.
class TestConformance < Minitest::Test
  include ReqcTest

  CASES = Dir[File.join(ROOT, "tests", "conformance", "*.json")].sort.flat_map do |file|
    JSON.parse(File.read(file)).map { |c| c.merge("_file" => File.basename(file)) }
  end

  def subst(text)
    text.gsub("{base2}", base2).gsub("{base}", base).gsub("{hostport}", base.sub(%r{\Ahttps?://}, ""))
  end

  def target(spec)
    spec.key?("path") ? url(subst(spec["path"])) : subst(spec["url"])
  end

  def auth(value)
    value == "none" ? :none : value.transform_keys(&:to_sym)
  end

  def pairs(list)
    (list || []).map { |name, value| [name, value && subst(value)] }
  end

  def body_options(body)
    return {} unless body

    case body["kind"]
    when "bytes" then { data: body["data"], content_type: body["content_type"] }
    when "json" then { json: JSON.parse(body["text"]) }
    when "form", "multipart"
      files = (body["files"] || []).to_h { |f| [f["field"], [f["filename"], f["data"], f["content_type"]]] }
      { data: body["fields"] || [], files: files }
    else flunk "unknown body kind #{body['kind']}"
    end
  end

  def request_options(r)
    options = { headers: pairs(r["headers"]), params: pairs(r["params"]) }
    options[:auth] = auth(r["auth"]) if r.key?("auth")
    options[:timeout] = r["timeout_ms"] / 1000.0 if r.key?("timeout_ms")
    options[:read_timeout] = r["read_timeout_ms"] / 1000.0 if r.key?("read_timeout_ms")
    if (red = r["redirects"])
      options[:allow_redirects] = red.fetch("follow", true)
      options[:max_redirects] = red.fetch("max", 30)
    end
    options[:max_response_bytes] = r["max_response_bytes"] if r.key?("max_response_bytes")
    options.merge(body_options(r["body"]))
  end

  def open_session(spec)
    options = { headers: pairs(spec["headers"]), params: pairs(spec["params"]) }
    options[:auth] = auth(spec["auth"]) if spec.key?("auth")
    options[:user_agent] = spec["user_agent"] if spec.key?("user_agent")
    options[:timeout] = spec["timeout_ms"] / 1000.0 if spec.key?("timeout_ms")
    options[:read_timeout] = spec["read_timeout_ms"] / 1000.0 if spec.key?("read_timeout_ms")
    session = Reqc::Session.new(**options)
    (spec["cookies"] || []).each { |path, set_cookie| session.set_cookie(url(path), set_cookie) }
    (spec["before"] || []).each { |b| session.request(b.fetch("method", "GET"), target(b)) }
    session
  end

  # Every key of `want` in `got` (keys inside "headers" case-insensitively).
  def assert_subset(want, got, path = "", headers: false)
    case want
    when Hash
      assert_kind_of Hash, got, path
      assert_empty got, path if want.empty?
      want.each do |key, value|
        found = headers ? got.find { |k, _| k.casecmp?(key) } : (got.key?(key) ? [key, got[key]] : nil)
        refute_nil found, "#{path}/#{key} missing in #{got.inspect}"
        assert_subset(value, found[1], "#{path}/#{key}", headers: key == "headers")
      end
    when Array
      assert_equal want.size, got.size, path
      want.zip(got).each_with_index { |(w, g), i| assert_subset(w, g, "#{path}[#{i}]") }
    when String then assert_equal subst(want), got, path
    when nil then assert_nil got, path
    else assert_equal want, got, path
    end
  end

  def check(expect, response)
    assert_equal expect["status"], response.status if expect.key?("status")
    assert_equal expect["history"], response.history.size if expect.key?("history")
    assert_equal expect["history_status"], response.history.map(&:status) if expect.key?("history_status")
    if expect.key?("url")
      want = expect["url"]
      assert_equal want.start_with?("/") ? url(want) : subst(want), response.url
    end
    assert_equal expect["body_length"], response.body.bytesize if expect.key?("body_length")
    (expect["response_headers"] || {}).each { |name, value| assert_equal subst(value), response.headers[name], name }
    (expect["response_headers_all"] || {}).each { |name, values| assert_equal values, response.headers.all(name), name }
    (expect["response_headers_present"] || []).each { |name| assert response.headers.key?(name), name }
    (expect["response_headers_absent"] || []).each { |name| refute response.headers.key?(name), name }
    assert_subset(expect["json_subset"], response.json) if expect.key?("json_subset")
    (expect["headers_absent"] || []).each do |name|
      refute(response.json["headers"].keys.any? { |k| k.casecmp?(name) }, "#{name} was sent")
    end
    (expect["json_absent"] || []).each do |object, key|
      refute (response.json[object] || {}).key?(key), "#{object}.#{key} present"
    end
  end

  def run_case(c)
    skip "pending: #{c['pending']}" if c["pending"] && !ENV["REQC_CONFORMANCE_PENDING"]
    skip "libreqc's test server only: #{c['reqc_only']}" if c["reqc_only"] && ENV["REQC_TEST_HTTPBIN"]
    expect = c["expect"] || {}
    code = expect.fetch("code", "REQC_OK")
    session = c["session"] && open_session(c["session"])
    r = c["request"]
    begin
      options = request_options(r)
      response = session ? session.request(r.fetch("method", "GET"), target(r), **options)
                         : Reqc.request(r.fetch("method", "GET"), target(r), **options)
      assert_equal "REQC_OK", code, "the send succeeded"
    rescue Reqc::Error => e
      assert_equal code, e.code.to_s, e.message
      return unless e.is_a?(Reqc::TooManyRedirectsError) && expect.keys != ["code"]

      response = e.response
    end
    check(expect, response)
  ensure
    session&.close
  end

  CASES.each do |c|
    define_method("test_#{c['name']}") { run_case(c) }
  end
end
