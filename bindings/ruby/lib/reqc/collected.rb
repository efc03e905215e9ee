# frozen_string_literal: true

require "fiddle"

module Reqc
  # C handles that the garbage collector frees in C, with no Ruby
  # finalizer: a Fiddle::Pointer carries the handle's free function, which
  # Ruby calls when the pointer object is garbage (Fiddle is in Ruby's
  # standard library). Only for handles whose free calls no Ruby code (see
  # Response.own).
  module Collected
    # libreqc as Fiddle sees it, never closed: at exit Ruby frees every
    # object in no set order, ruby-ffi's library (which dlcloses it) among
    # them, and a pointer freed after that must still find libreqc's code.
    LIBRARY = Fiddle::Handle.new(Native.ffi_libraries.first.name).tap(&:disable_close)
    RESPONSE_FREE = LIBRARY["reqc_response_free"]

    # The keeper of the owned reqc_response * at `address`.
    def self.response(address)
      Fiddle::Pointer.new(address, 0, RESPONSE_FREE)
    end
  end
end
