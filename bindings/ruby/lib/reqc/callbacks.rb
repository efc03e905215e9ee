# frozen_string_literal: true

require "weakref"

module Reqc
  # How Ruby blocks become C callbacks, safely.
  #
  # libreqc keeps a `void *userdata` per registration; here it is an integer
  # id into a registry of Ruby objects (never a Ruby object's address), and
  # one FFI::Function per callback type, made once, dispatches on it. The
  # registry entry goes when libreqc calls free_userdata (exactly once, after
  # the last call of the callback), so a block lives as long as C may call it.
  #
  # No block may unwind through libreqc's frames: Callbacks.guard runs it in
  # a Fiber, where an exception, a `throw` (UncaughtThrowError inside the
  # fiber, which has no catch tags of its own), a `break` or a `return` out of
  # a proc (LocalJumpError) all end as an exception caught there. The
  # trampoline then returns "abort" to C, and the first escape is kept in a
  # per-thread slot that Callbacks.capture hands to the caller once the C
  # call has returned, which raises it (or re-throws the tag) there.
  module Callbacks
    # The interrupt mask of a C call (see #capture).
    DEFER = { Object => :never }.freeze

    # Every live registration: id => object (a WeakRef to it for an owned one).
    REGISTRY = {}
    # The owners of owned registrations: id => WeakRef to the owner.
    OWNERS = {}
    # How many registrations were ever made (the last id), in an Array so
    # that a send reads it with no method call (see #quiet_mark).
    MADE = [0]
    @lock = Mutex.new

    class << self
      # Keeps `object` until `release(id)`; returns the id, as a pointer for
      # the userdata parameter. With an `owner` (a Session, for its hooks and
      # log sink) the owner holds `object` (#hold_callback) and the registry
      # only a WeakRef: the registry is a GC root, and every block holds its
      # self and its locals, so a session's hook defined where the session
      # is in reach (in an object that owns it, say) would otherwise keep the
      # session, and its C side, alive for ever.
      def register(object, owner: nil)
        entry = owner ? WeakRef.new(object) : object
        id = @lock.synchronize do
          # Entered first, counted after: see #quiet_mark.
          id = MADE[0] + 1
          REGISTRY[id] = entry
          MADE[0] = id
        end
        if owner
          owner.hold_callback(id, object)
          OWNERS[id] = WeakRef.new(owner)
        end
        FFI::Pointer.new(id)
      end

      # A mark taken before a C call and compared after it: equal marks (not
      # nil) say no Ruby block was registered at any time in between, so
      # nothing the call made (a response) keeps a registration whose
      # release would call back into Ruby. nil while any is registered. (No
      # lock: the count is read before the registry, and #register enters
      # before it counts, so a registration made meanwhile either is seen
      # here or changes the count. Sending spells it out inline, on
      # REGISTRY and MADE: two method calls less per send.)
      def quiet_mark
        count = MADE[0]
        count if REGISTRY.empty?
      end

      # The registered object; nil once an owned one's owner is collected
      # (libreqc may outlive it a little: its free_userdata comes after).
      def fetch(userdata)
        entry = REGISTRY[userdata.address]
        WeakRef === entry ? entry.__getobj__ : entry
      rescue WeakRef::RefError
        nil
      end

      # Called by libreqc's free_userdata, which may run inside a GC
      # finalizer (a handle freed by its FFI::AutoPointer), where a Mutex
      # cannot be taken (ThreadError "can't be called from trap context"),
      # and which may interrupt #register on this very thread. One Hash#delete
      # is atomic under the GVL, so no lock is needed here.
      def release(userdata)
        id = userdata.address
        REGISTRY.delete(id)
        owner = OWNERS.delete(id)
        owner.__getobj__.release_callback(id) if owner
      rescue WeakRef::RefError
        nil # the owner went first, and what it held with it
      end

      # How many registrations are alive (tests check that none leak).
      def live_count
        @lock.synchronize { REGISTRY.size }
      end

      # Runs the block as a callback body: returns its value, or `on_escape`
      # after keeping the escape for the caller. Never raises, throws or
      # jumps. The block sees the calling fiber's fiber-local variables
      # (Thread.current[:key], where RequestStore and tagged loggers keep a
      # request id) as a plain block would: they are copied into the
      # callback's fiber and what it sets is copied back.
      def guard(on_escape)
        outcome = nil
        locals = fiber_locals
        back = nil
        fiber = Fiber.new do
          locals.each { |key, value| Thread.current[key] = value }
          # The block itself takes interrupts at once (a Timeout around a
          # slow hook ends it), where they are caught (see #capture).
          outcome = [:ok, Thread.handle_interrupt(Object => :immediate) { yield }]
        rescue Exception => e # rubocop:disable Lint/RescueException: nothing may cross into C
          outcome = [:escaped, e]
        ensure
          back = fiber_locals
        end
        fiber.resume
        back&.each { |key, value| Thread.current[key] = value }
        unless outcome
          # Fiber.yield from a callback: the block never finished.
          outcome = [:escaped, Reqc::CallbackError.new("Fiber.yield inside a reqc callback", code: :REQC_E_CALLBACK)]
        end
        return outcome[1] if outcome[0] == :ok

        keep(outcome[1])
        on_escape
      rescue Exception => e # rubocop:disable Lint/RescueException: e.g. Thread#raise between the lines above
        keep(e)
        on_escape
      end

      # Runs a C call (the block) that may call callbacks on this thread;
      # returns [the block's value, the first escape or nil]. Nests: a
      # callback's own C calls keep their escapes apart.
      #
      # Asynchronous interrupts (Thread#raise, Timeout, Thread#kill) are
      # deferred until the C call has returned, except inside a callback's
      # block (#guard): one taken in a trampoline's own frames would unwind
      # through libreqc (a kill is no exception: no rescue stops it), and a
      # kill inside the block's Fiber is re-queued for its thread as the
      # Fiber ends. Interrupts' watcher still cancels the call at once.
      def capture
        value = nil
        escape = capture_escape { value = yield }
        [value, escape]
      end

      # #capture for a block that keeps its own value: returns the first
      # escape or nil (no Array per call; a send is the hot path). `state`:
      # this thread's PerThread, whose slot keeps the escape (an instance
      # variable: cheaper than a thread variable, and as per-thread).
      def capture_escape(state = PerThread.current)
        saved = state.escape
        state.escape = nil
        begin
          Thread.handle_interrupt(DEFER) { yield }
          state.escape
        ensure
          state.escape = saved
        end
      end

      # Raises (or throws) an escape in the caller, as the block would have.
      def reraise(escape)
        throw escape.tag, escape.value if escape.is_a?(UncaughtThrowError)
        raise escape
      end

      private

      # The current fiber's fiber-local variables, as [key, value] pairs.
      def fiber_locals
        thread = Thread.current
        thread.keys.map { |key| [key, thread[key]] }
      end

      def keep(error)
        state = PerThread.current
        state.escape ||= error
      end
    end

    # free_userdata of every registration.
    FREE = FFI::Function.new(:void, [:pointer]) { |userdata| release(userdata) }
  end
end
