# frozen_string_literal: true

module Reqc
  # The gem's version; the library's is Reqc.library_version.
  VERSION = "0.1.0"
end
