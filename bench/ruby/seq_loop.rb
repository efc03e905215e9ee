# frozen_string_literal: true

# The gem's sequential hot path alone, for bench/ruby/ir.sh: COUNT
# Session#get + status + body of URL on one keep-alive connection (one
# GET before, to connect), every response checked. GC_OFF=1: with the GC
# disabled for the loop (finalizers then run at exit, still once per GET).
#
#   ruby -Ibindings/ruby/lib bench/ruby/seq_loop.rb URL COUNT
require "reqc"

url = ARGV.fetch(0)
count = Integer(ARGV.fetch(1))
session = Reqc::Session.new
session.get(url)
GC.disable if ENV["GC_OFF"] == "1"
count.times do
  r = session.get(url)
  raise "status #{r.status}" unless r.status == 200 && !r.body.empty?
end
