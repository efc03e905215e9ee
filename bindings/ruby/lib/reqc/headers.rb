# frozen_string_literal: true

module Reqc
  # A response's headers: names case-insensitive, every value of a repeated
  # header kept in order. `h["set-cookie"]` is the first value (as
  # Net::HTTP's `[]` is the joined one, Requests' the joined one: here use
  # `h.all("set-cookie")` for every value, `h.to_h` for name => joined).
  class Headers
    include Enumerable

    # `pairs`: [[name, value], ...] in the order received.
    def initialize(pairs)
      @pairs = pairs.freeze
      @index = {}
      pairs.each { |name, value| (@index[name.downcase] ||= []) << value }
    end

    # The first value of `name`, or nil.
    def [](name)
      @index[name.to_s.downcase]&.first
    end

    # Every value of `name`, in order ([] when absent).
    def all(name)
      @index.fetch(name.to_s.downcase, []).dup
    end

    # Hash#fetch's contract: the first value, else the block's or the
    # default's, else KeyError.
    def fetch(name, *default)
      values = @index[name.to_s.downcase]
      return values.first if values
      return yield(name) if block_given?
      return default.first unless default.empty?

      raise KeyError, "no header #{name}"
    end

    def key?(name)
      @index.key?(name.to_s.downcase)
    end
    alias include? key?

    # Each [name, value] as received (a repeated header once per value).
    def each(&block)
      @pairs.each(&block)
    end

    def size
      @pairs.size
    end

    # name (lower case) => every value joined with ", " (Set-Cookie with "\n").
    def to_h
      @index.to_h { |name, values| [name, values.join(name == "set-cookie" ? "\n" : ", ")] }
    end

    def inspect
      "#<Reqc::Headers #{@pairs.inspect}>"
    end
  end
end
