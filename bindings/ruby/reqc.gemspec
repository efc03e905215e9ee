# frozen_string_literal: true

require_relative "lib/reqc/version"

Gem::Specification.new do |spec|
  spec.name = "reqc"
  spec.version = Reqc::VERSION
  spec.summary = "HTTP for humans over libreqc (libcurl): sessions, cookies, hooks, a concurrent map"
  spec.description = "Ruby binding of libreqc through ruby-ffi. Needs libreqc.so.0 " \
                     "(or REQC_LIB pointing at it)."
  spec.authors = ["libreqc authors"]
  spec.licenses = ["MIT", "Apache-2.0"]
  spec.homepage = "https://example.invalid/libreqc"
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir[File.join(__dir__, "lib", "**", "*.rb")].map { |f| f.delete_prefix("#{__dir__}/") }
  spec.require_paths = ["lib"]
  spec.add_runtime_dependency "ffi", ">= 1.15"
end
