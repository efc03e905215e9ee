# frozen_string_literal: true

require_relative "test_helper"

# Reqc.map (Requests' async.map) and Reqc::Batch (Hydra's queue and run).
class TestBatches < Minitest::Test
  include ReqcTest

  def test_map_of_a_thousand_in_order
    results = Reqc.map(Array.new(1000) { |i| url("/anything?i=#{i}") }, concurrency: 64)
    assert_equal 1000, results.size
    results.each_with_index do |r, i|
      assert_equal 200, r.status
      assert_equal url("/anything?i=#{i}"), r.url
    end
  end

  def test_map_mixes_responses_and_errors_in_place
    results = Reqc.map([url("/status/201"), "http://127.0.0.1:1/", [:post, url("/post"), { json: [1] }],
                        Reqc::Request.new(:get, url("/status/404"))], concurrency: 2)
    assert_equal 201, results[0].status
    assert_kind_of Reqc::ConnectError, results[1]
    assert_equal [1], results[2].json["json"]
    assert_equal 404, results[3].status
  end

  def test_on_complete_gets_each_result_as_it_lands
    landed = []
    results = Reqc.map(Array.new(10) { |i| url("/anything?i=#{i}") }, concurrency: 3) { |r, i| landed << [i, r.status] }
    assert_equal (0...10).to_a, landed.map(&:first).sort
    assert_equal [200] * 10, results.map(&:status)
  end

  def test_hydra_style_queue_and_run_through_a_session
    Reqc::Session.open(headers: { "X-Sess" => "1" }) do |s|
      s.get(url("/cookies/set?c=1"))
      batch = Reqc::Batch.new(session: s, concurrency: 2, max_per_host: 1)
      got = {}
      %w[a b c].each do |name|
        batch.queue(Reqc::Request.new(:get, url("/anything?n=#{name}"))) { |r| got[name] = r.json }
      end
      assert_equal 3, batch.size
      batch.run
      assert_equal %w[a b c], got.keys.sort
      assert(got.values.all? { |j| j["headers"]["X-Sess"] == "1" && j["headers"]["Cookie"] == "c=1" })
      assert_equal 3, batch.results.size
      batch.close
      assert_equal 2, s.map([url("/get"), url("/get")]).size
    end
  end

  def test_each_result_pulls_a_lazy_source_as_slots_free
    produced = 0
    source = Enumerator.new do |y|
      300.times { |i| produced += 1; y << url("/anything?i=#{i}") }
    end
    seen = {}
    most_ahead = 0
    Reqc.each_result(source, concurrency: 8) do |r, i|
      most_ahead = [most_ahead, produced - seen.size].max
      seen[i] = r.json["args"]["i"].to_i
    end
    assert_equal (0...300).to_a, seen.keys.sort
    assert_equal (0...300).to_a, seen.values_at(*(0...300)).to_a
    assert_operator most_ahead, :<=, 8 + 2, "the source is pulled only as slots free"
  end

  def test_feed_after_queued_items_mixed_specs_and_errors
    got = {}
    batch = Reqc::Batch.new(concurrency: 2) { |result, i| got[i] = result }
    batch.queue(Reqc::Request.new(:get, url("/status/201")))
    batch.feed([url("/status/202"), "http://127.0.0.1:1/", [:post, url("/post"), { json: [7] }],
                Reqc::Request.new(:get, url("/status/203"))].each)
    batch.run
    assert_equal 201, got[0].status
    assert_equal 202, got[1].status
    assert_kind_of Reqc::ConnectError, got[2]
    assert_equal [7], got[3].json["json"]
    assert_equal 203, got[4].status
    assert_equal 201, batch.results.first.status
    assert_raises(ArgumentError) { Reqc::Batch.new.feed([]) }
  ensure
    batch&.close
  end

  def test_each_result_raises_what_the_source_or_the_block_raised
    boom = Enumerator.new { |y| y << url("/get"); raise ArgumentError, "source" }
    assert_equal "source", assert_raises(ArgumentError) { Reqc.each_result(boom) { nil } }.message
    n = 0
    e = assert_raises(RuntimeError) do
      Reqc.each_result(Array.new(50) { url("/get") }, concurrency: 2) { n += 1; raise "block" }
    end
    assert_equal "block", e.message
    assert_equal 1, n
    assert_raises(Reqc::InvalidURLError) { Reqc.each_result(["http://"]) { nil } }
  end

  def test_batch_deadline
    results = Reqc.map([url("/delay/2"), url("/get")], timeout: 0.3)
    assert_kind_of Reqc::Error, results[0]
    assert_equal 200, results[1].status
  end
end
