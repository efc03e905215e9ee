# The Ruby rows of libreqc's benchmarks: the reqc gem, Net::HTTP and
# Typhoeus (Debian's ruby-typhoeus, on Debian's libcurl).
#
#   ruby rbclient.rb LIB MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND
#
# LIB: reqc, nethttp or typhoeus. MODE: seq (one keep-alive connection: a
# Reqc::Session, Net::HTTP.start, Typhoeus' pooled easy handle), seq_floor
# (reqc only: the C send through bare ruby-ffi calls, no gem) or batch
# (Reqc.map at CONCURRENCY; Typhoeus::Hydra with max_concurrency). Every
# response's status (200) and size are checked. Prints the JSON line of
# bench/common.h.
require "json"

def cpu
  t = Process.times
  t.utime + t.stime
end

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def max_rss_kib
  File.read("/proc/self/status")[/^VmHWM:\s+(\d+)/, 1].to_i
end

lib, mode, url, count, conc, _http, expect, scenario, client, round = ARGV
count = Integer(count)
conc = Integer(conc)
expect = Integer(expect)
good = 0
bytes = 0
tally = lambda do |status, body|
  next unless status == 200 && body.bytesize == expect

  good += 1
  bytes += body.bytesize
end

case lib
when "reqc"
  require "reqc"
  case mode
  when "seq"
    session = Reqc::Session.new
    session.get(url) # the connection, before the clock starts (as the C clients do)
    t0 = now
    c0 = cpu
    count.times do
      r = session.get(url)
      tally.call(r.status, r.body)
    end
  when "seq_floor"
    # No gem: bench/reqc_client.c's send (request_new, send, body, status,
    # frees) through ruby-ffi's bare calls on the gem's own attachments,
    # the body copied into a String as the gem's Response#body does. The
    # floor of any ruby-ffi binding over libreqc: its row against
    # Net::HTTP's says what is left of the target once the binding's Ruby
    # side costs nothing.
    native = Reqc::Native
    out = FFI::MemoryPointer.new(:pointer)
    len = FFI::MemoryPointer.new(:size_t)
    abort "rbclient: reqc_session_new failed" unless native.reqc_session_new(out).zero?
    session = out.read_pointer
    send_one = lambda do
      raise "reqc_request_new failed" unless native.reqc_request_new("GET", url, out, nil).zero?

      request = out.read_pointer
      rc = native.reqc_session_send(session, request, out)
      native.reqc_request_free(request)
      raise "reqc_session_send: #{rc}" unless rc.zero?

      response = out.read_pointer
      body = native.reqc_response_body(response, len).read_bytes(len.read(:size_t))
      status = native.reqc_response_status(response)
      native.reqc_response_free(response)
      [status, body]
    end
    send_one.call
    t0 = now
    c0 = cpu
    count.times { tally.call(*send_one.call) }
  when "batch"
    t0 = now
    c0 = cpu
    Reqc.map(Array.new(count, url), concurrency: conc).each do |r|
      tally.call(r.status, r.body) if r.is_a?(Reqc::Response)
    end
  end
when "nethttp"
  require "net/http"
  uri = URI(url)
  raise "nethttp: seq only" unless mode == "seq"

  Net::HTTP.start(uri.host, uri.port) do |http|
    http.get(uri.path)
    t0 = now
    c0 = cpu
    count.times do
      r = http.get(uri.path)
      tally.call(r.code.to_i, r.body)
    end
  end
when "typhoeus"
  require "typhoeus"
  case mode
  when "seq"
    Typhoeus.get(url)
    t0 = now
    c0 = cpu
    count.times do
      r = Typhoeus.get(url)
      tally.call(r.code, r.body)
    end
  when "batch"
    t0 = now
    c0 = cpu
    hydra = Typhoeus::Hydra.new(max_concurrency: conc)
    requests = Array.new(count) { Typhoeus::Request.new(url) }
    requests.each { |r| hydra.queue(r) }
    hydra.run
    requests.each { |r| tally.call(r.response.code, r.response.body) }
  end
else
  abort "rbclient: unknown library #{lib}"
end
abort "rbclient: unknown mode #{mode} for #{lib}" unless t0
wall = now - t0
used = cpu - c0
puts JSON.generate(scenario: scenario, client: client, round: Integer(round), requests: count, bytes: bytes,
                   wall_s: wall.round(6), cpu_s: used.round(6), rss_kib: max_rss_kib, ok: good == count)
