# frozen_string_literal: true

require_relative "test_helper"

# Reqc.get/post/..., Reqc::Request and Reqc::Response.
class TestRequests < Minitest::Test
  include ReqcTest

  def test_get_with_params_and_headers
    r = Reqc.get(url("/get"), params: { q: "hello world", n: 1 }, headers: { "X-Test" => "yes" })
    assert_equal 200, r.status
    assert_equal "OK", r.reason
    assert r.ok?
    assert_equal({ "q" => "hello world", "n" => "1" }, r.json["args"])
    assert_equal "yes", r.json["headers"]["X-Test"]
    assert_equal url("/get?q=hello+world&n=1"), r.url
    assert_equal "application/json", r.headers["CONTENT-TYPE"]
    assert_equal r.headers["content-type"], r["Content-Type"]
  end

  def test_every_verb
    %i[get post put patch delete].each do |verb|
      r = Reqc.public_send(verb, url("/anything"))
      assert_equal verb.to_s.upcase, r.json["method"]
    end
    assert_equal "", Reqc.head(url("/get")).body
    assert_equal 200, Reqc.options(url("/get")).status
    assert_equal "PURGE", Reqc.request(:purge, url("/anything")).json["method"]
  end

  def test_bodies_json_data_form_files
    assert_equal({ "a" => [1, "x"] }, Reqc.post(url("/post"), json: { a: [1, "x"] }).json["json"])
    r = Reqc.put(url("/put"), data: "raw bytes\x00\xff".b, headers: { "Content-Type" => "application/octet-stream" })
    assert_equal "data:application/octet-stream;base64,#{["raw bytes\x00\xff".b].pack("m0")}", r.json["data"]
    assert_equal({ "a" => "1", "b" => "two" }, Reqc.post(url("/post"), data: { a: 1, b: "two" }).json["form"])
    Dir.mktmpdir do |dir|
      path = File.join(dir, "upload.txt")
      File.write(path, "from disk")
      r = File.open(path) do |f|
        Reqc.post(url("/post"), data: { field: "v" },
                                files: { disk: f, mem: ["m.txt", "from memory", "text/plain"], raw: "bare" })
      end
      assert_equal({ "disk" => "from disk", "mem" => "from memory", "raw" => "bare" }, r.json["files"])
      assert_equal({ "field" => "v" }, r.json["form"])
    end
  end

  def test_auth_kinds
    assert_equal 200, Reqc.get(url("/basic-auth/u/p"), auth: %w[u p]).status
    assert_equal 401, Reqc.get(url("/basic-auth/u/p"), auth: %w[u wrong]).status
    assert_equal 200, Reqc.get(url("/digest-auth/auth/u/p"), auth: { digest: %w[u p] }).status
    assert_equal 200, Reqc.get(url("/bearer"), auth: { bearer: "tok" }).status
    assert_raises(ArgumentError) { Reqc.get(url("/get"), auth: 42) }
  end

  def test_repeated_headers_case_insensitive
    r = Reqc.get(url("/response-headers?X-Multi=a&X-Multi=b"))
    assert_equal "a", r.headers["x-multi"]
    assert_equal %w[a b], r.headers.all("X-MULTI")
    assert_equal %w[a b], r.headers.select { |n, _| n.casecmp?("x-multi") }.map(&:last)
    assert r.headers.key?("X-Multi")
    assert_equal "a, b", r.headers.to_h["x-multi"]
    assert_equal [], r.headers.all("absent")
    assert_equal "a", r.headers.fetch("X-MULTI")
    assert_equal "d", r.headers.fetch("absent", "d")
    assert_equal "absent!", r.headers.fetch("absent") { |n| "#{n}!" }
    assert_raises(KeyError) { r.headers.fetch("absent") }
  end

  # Response#headers copies every line from reqc_response_header_views: the
  # same names and values, in the same order, as the C getters give, an
  # empty value included.
  def test_headers_are_every_line_as_received
    r = Reqc.get(url("/response-headers?X-A=1&X-Empty=&X-A=2"))
    c = Reqc::Native
    lines = Array.new(c.reqc_response_header_count(r.send(:handle))) do |i|
      name = FFI::MemoryPointer.new(:pointer)
      value = FFI::MemoryPointer.new(:pointer)
      c.reqc_response_header_at(r.send(:handle), i, name, value)
      [name.read_pointer.read_string, value.read_pointer.read_string]
    end
    assert_operator lines.size, :>=, 4
    assert_equal lines, r.headers.to_a
    assert_equal "", r.headers["X-Empty"]
    assert_equal %w[1 2], r.headers.all("x-a")
  end

  def test_request_headers_array_repeats_and_removes
    r = Reqc.get(url("/headers"), headers: [["X-Rep", "1"], ["X-Rep", "2"], ["Accept-Encoding", nil]])
    assert_equal "1,2", r.json["headers"]["X-Rep"].delete(" ")
    refute r.json["headers"].key?("Accept-Encoding")
  end

  def test_history_timings_and_request
    r = Reqc.get(url("/redirect/2"))
    assert_equal [302, 302], r.history.map(&:status)
    assert_equal url("/get"), r.url
    assert_match %r{/redirect/2\z}, r.history.first.url
    assert_kind_of Float, r.timings[:total]
    assert r.elapsed.positive?
    assert_equal "GET", r.request.method_name
    assert_equal :REQC_HTTP_VERSION_1_1, r.http_version
    assert_equal "127.0.0.1", r.remote_ip
  end

  def test_lent_history_outlives_nothing
    r = Reqc.get(url("/redirect/1"))
    hop = r.history.first
    r = nil # the hop keeps its final response alive
    GC.start
    assert_equal 302, hop.status
    assert_nil r
  end

  def test_close_frees_at_once_and_later_reads_raise
    r = Reqc.get(url("/get"))
    r.close
    assert r.closed?
    assert_raises(Reqc::InvalidStateError) { r.status }
    req = Reqc::Request.new(:get, url("/get"))
    req.close
    assert_raises(Reqc::InvalidStateError) { req.url }
  end

  # Records the reqc_response_free calls made while a block runs
  # (prepended once; off outside count_frees).
  module RecordFrees
    class << self
      attr_accessor :freed
    end

    def reqc_response_free(pointer)
      RecordFrees.freed << pointer.address if RecordFrees.freed && !pointer.null?
      super
    end
  end
  Reqc::Native.singleton_class.prepend(RecordFrees)

  # The addresses freed while the block ran.
  def frees
    RecordFrees.freed = []
    yield
    RecordFrees.freed
  ensure
    RecordFrees.freed = nil
  end

  def make_responses(n, close:)
    n.times do
      r = Reqc.get(url("/get"))
      r.close if close
    end
    nil
  end

  # Holds a callback registration while the block runs: sends made then
  # give responses that a Ruby finalizer frees (see Response.own; the other
  # kind, freed in C, is tested in test_collected_responses.rb).
  def with_a_registration
    id = Reqc::Callbacks.register(:test)
    yield
  ensure
    Reqc::Callbacks.release(id)
  end

  # A finalized response is freed exactly once: at #close, or by the GC
  # when dropped unclosed (its finalizer), never both. (Responses earlier
  # tests dropped may be freed during the GC runs here too: they were alive
  # when these were made, so their addresses differ from these.)
  def test_responses_are_freed_once_by_close_or_the_gc
    with_a_registration do
      closed = frees { make_responses(10, close: true) }
      assert_equal 10, closed.size, "close frees at once"
      again = frees { 3.times { GC.start } }
      assert_empty again & closed, "a closed response is not freed again"
      dropped = frees do
        make_responses(10, close: false)
        3.times { GC.start }
      end
      assert_operator dropped.size, :>=, 5, "dropped responses are freed by the GC"
    end
  end

  def test_raise_for_status
    assert_equal 200, Reqc.get(url("/status/200")).raise_for_status.status
    e = assert_raises(Reqc::HTTPError) { Reqc.get(url("/status/404")).raise_for_status }
    assert_equal 404, e.response.status
    assert_match(/404 Client Error/, e.message)
    assert_match(/503 Server Error/, assert_raises(Reqc::HTTPError) { Reqc.get(url("/status/503")).raise_for_status }.message)
  end

  def test_errors_are_subclasses_with_the_message
    e = assert_raises(Reqc::ConnectError) { Reqc.get("http://127.0.0.1:1/") }
    assert_equal :REQC_E_CONNECT, e.code
    assert_match(/REQC_E_CONNECT: .*127\.0\.0\.1:1/, e.message)
    e = assert_raises(Reqc::TimeoutError) { Reqc.get(url("/delay/2"), timeout: 0.1) }
    assert_match(/REQC_E_TIMEOUT/, e.message)
    assert_raises(Reqc::UnsupportedProtocolError) { Reqc.get("ftp://example.com/") }
    assert_raises(Reqc::InvalidURLError) { Reqc.get("http://") }
    e = assert_raises(Reqc::TooManyRedirectsError) { Reqc.get(url("/redirect/3"), max_redirects: 1) }
    assert_equal 302, e.response.status
    assert_equal 1, e.response.history.size
    assert_kind_of Reqc::Error, e
  end

  def test_retries
    r = Reqc.get(url("/status/503"), retries: 2, retry_backoff: [0.001, 0.002])
    assert_equal [503, 503, 503], r.attempts
  end

  def test_request_object_reusable_and_mutable
    req = Reqc::Request.new(:post, url("/post"), json: { n: 1 }, headers: { "X-A" => "1" })
    assert_equal "POST", req.method_name
    assert_equal "1", req["x-a"]
    assert_equal '{"n":1}', req.body
    2.times { assert_equal({ "n" => 1 }, Reqc.perform(req).json["json"]) }
    req["X-A"] = "2"
    req.param("p", "v")
    r = Reqc.perform(req)
    assert_equal "2", r.json["headers"]["X-A"]
    assert_equal({ "p" => "v" }, r.json["args"])
    copy = req.dup
    copy.url = url("/anything")
    assert_match %r{/post}, req.url
  end

  def test_cookies_option_and_response_cookies
    assert_equal({ "k" => "v" }, Reqc.get(url("/cookies"), cookies: { k: "v" }).json["cookies"])
    r = Reqc.get(url("/cookies/set?a=1"), allow_redirects: false)
    assert_equal [%w[a 1]], r.cookies.map { |c| [c.name, c.value] }
  end

  def test_on_data_streams_the_body_to_a_block
    got = +""
    req = Reqc::Request.new(:get, url("/bytes/50000")).on_data { |chunk| got << chunk }
    r = Reqc.perform(req)
    assert_equal 50_000, got.bytesize
    assert_equal "", r.body
  end

  def test_body_stream_uploads_from_a_block
    pieces = %w[hello , world]
    req = Reqc::Request.new(:post, url("/post")).body_stream { |_budget| pieces.shift }
    assert_equal "hello,world", Reqc.perform(req).json["data"]
  end

  def test_each_chunk
    r = Reqc.get(url("/bytes/40000"))
    sizes = r.each_chunk(16_384).map(&:bytesize)
    assert_equal [16_384, 16_384, 7232], sizes
  end

  def test_unset_option
    s = Reqc::Session.new(timeout: 0.1)
    assert_raises(Reqc::TimeoutError) { s.get(url("/delay/1")) }
    s.unset(:timeout)
    assert_equal 200, s.get(url("/delay/0")).status
    assert_raises(ArgumentError) { s.unset(:nonsense) }
  ensure
    s&.close
  end
end
