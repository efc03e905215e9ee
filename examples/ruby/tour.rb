# tour.rb: the tour of libreqc in Ruby (the reqc gem, bindings/ruby): one-off
# calls, a session with cookies, default headers and auth in the block form,
# the hooks print_url and hack_headers (and removing one), an async map, a
# streamed download, verbose logging, a Timeout that cancels a send at once,
# and an exception raised in a hook coming back to the caller.
#
#   REQC_TEST_URL=http://127.0.0.1:PORT LD_LIBRARY_PATH=target/release \
#     ruby -Ibindings/ruby/lib examples/ruby/tour.rb
#
# `make demo` runs it against libreqc's test server.
require "reqc"
require "timeout"

BASE = ENV["REQC_TEST_URL"].to_s
abort "REQC_TEST_URL is not set: run this through make demo" if BASE.empty?

def url(path) = "#{BASE}#{path}"

def title(text) = puts("\n== #{text}")

puts Reqc.library_version

title "One-off calls"
r = Reqc.get(url("/get"), params: { lang: "ruby", q: "hello world" })
puts "#{r.status} #{r.reason} from #{r.url}"
puts "Content-Type: #{r.headers['content-type']}"
posted = Reqc.post(url("/post"), json: { name: "libreqc", tags: %w[http ruby] })
puts "POST JSON -> #{posted.status}, the server got #{posted.json['json']}"

title "Redirects and their history"
r = Reqc.get(url("/redirect/2"), headers: { "X-Tour" => "1" })
r.history.each { |hop| puts "  #{hop.status} #{hop.url} -> #{hop.headers['location']}" }
puts "  then #{r.status} #{r.url}, sent as #{r.request.method_name} with X-Tour: #{r.request['X-Tour']}"

title "A session: default headers, basic auth, cookies (closed at the end of the block)"
Reqc::Session.open(headers: { "x-test" => "true" }, auth: %w[user pass]) do |s|
  s.get(url("/cookies/set?session=tour"))
  puts "cookie session=#{s.cookie(url('/'), 'session')}"
  puts s.get(url("/headers"), headers: { "x-test2" => "true" }).text
  puts "basic-auth: #{s.get(url('/basic-auth/user/pass')).status}"
end

title "Hooks: print_url and hack_headers"
Reqc::Session.open do |s|
  s.hook(:response) { |resp| puts "print_url: #{resp.url}" }
  hack = s.hook(:args) do |req|
    req["X-Testing"] = "True"
    puts "hack_headers: added X-Testing: True"
  end
  puts s.get(url("/headers")).json["headers"].slice("X-Testing")
  s.remove_hook(hack) # Requests' deregister_hook
  sent = s.get(url("/headers")).json["headers"].key?("X-Testing")
  puts "hack_headers removed: #{sent ? 'X-Testing still sent!' : 'no X-Testing sent'}"
end

title "Async map: many requests at once, results in order"
urls = Array.new(5) { |i| url("/delay/0?i=#{i}") } + ["http://127.0.0.1:1/"]
Reqc.map(urls, concurrency: 3).each_with_index do |result, i|
  case result
  when Reqc::Response then puts "  #{i}: #{result.status} #{result.url}"
  else puts "  #{i}: #{result.class}: #{result.message}"
  end
end

title "A streamed download: the body read as it arrives"
Reqc.get(url("/bytes/102400"), stream: true) do |r|
  bytes = chunks = 0
  r.each_chunk(16 * 1024) do |chunk|
    bytes += chunk.bytesize # a real program would write it somewhere
    chunks += 1
  end
  puts "#{r.status}: received #{bytes} bytes in #{chunks} chunks"
end

title "Verbose logging (the seed's settings.verbose)"
Reqc.config.verbose = $stdout # or $stderr, any IO, a Logger
Reqc.get(url("/get"))
Reqc.get(url("/status/404"))
Reqc.config.verbose = nil

title "Timeout.timeout cancels the send at once"
t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
begin
  Timeout.timeout(0.2) { Reqc.get(url("/delay/2")) }
rescue Timeout::Error
  puts format("Timeout::Error after %.2f s of a 2 s response", Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0)
end

title "An exception in a hook comes back to the caller"
begin
  Reqc::Session.open do |s|
    s.hook(:response) { raise ArgumentError, "a hook changed its mind" }
    s.get(url("/get"))
  end
rescue ArgumentError => e
  puts "caught: #{e.message}"
end

title "Errors"
begin
  Reqc.get("http://127.0.0.1:1/")
rescue Reqc::ConnectError => e
  puts "#{e.class}: #{e.message}"
end
begin
  Reqc.get(url("/delay/2"), timeout: 0.2)
rescue Reqc::TimeoutError => e
  puts "#{e.class}: #{e.message}"
end
begin
  Reqc.get(url("/status/418")).raise_for_status
rescue Reqc::HTTPError => e
  puts "#{e.class}: #{e.message}"
end
