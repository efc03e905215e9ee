# frozen_string_literal: true

require "ffi"

module Reqc
  # The C API as ruby-ffi sees it: the library and the generated table of
  # functions, callbacks and constants (native/api.rb, from include/reqc.json).
  # Nothing here is meant for users; the classes of this gem wrap it.
  module Native
    extend FFI::Library

    # Where libreqc is loaded from: $REQC_LIB when set (a path or a name),
    # else the soname, found by the dynamic loader (LD_LIBRARY_PATH, the
    # system's directories, an installed prefix in ld.so.conf).
    LIBRARY = ENV.fetch("REQC_LIB", "") .then { |v| v.empty? ? "libreqc.so.0" : v }

    begin
      ffi_lib LIBRARY
    rescue LoadError => e
      raise LoadError, "reqc: cannot load #{LIBRARY} (set REQC_LIB to libreqc.so.0's path, " \
                       "or LD_LIBRARY_PATH to its directory): #{e.message}"
    end
  end
end

require_relative "native/api"

module Reqc
  module Native
    # The free functions, as the callables FFI::AutoPointer calls (made once:
    # Module#method allocates a new Method on every call).
    RELEASE = %i[reqc_request_free reqc_response_free reqc_session_free reqc_batch_free
                 reqc_cookie_list_free].to_h { |name| [name, method(name)] }.freeze

    # A family's constants by their Ruby names => their C names: the C name
    # without `prefix`, downcased, "_" between digits read as "."
    # (REQC_HOOK_KIND_PRE_REQUEST => :pre_request, REQC_TLS_VERSION_1_3 =>
    # :"1.3"). Derived, so a constant added to the C API is reachable at once.
    def self.names(family, prefix)
      FAMILIES.fetch(family).keys.to_h do |c_name|
        [c_name.to_s.delete_prefix(prefix).downcase.gsub(/(?<=\d)_(?=\d)/, ".").to_sym, c_name]
      end.freeze
    end

    # The hot path's reads attached a second time, their pointer parameters
    # taken as addresses (Integers): a response keeps its handle's address
    # and passes it as it is, where a :pointer parameter needs an
    # FFI::Pointer object per response. Types derived from FUNCTIONS (the
    # generated table), so they follow the description as the table does.
    module ByAddress
      extend FFI::Library
      ffi_lib Native.ffi_libraries.first.name

      %i[reqc_response_status reqc_response_body].each do |name|
        args, ret, may_block = FUNCTIONS.fetch(name)
        attach_function name, args.map { |type| type == :pointer ? :uintptr_t : type }, ret, blocking: may_block
      end
    end
  end
end
