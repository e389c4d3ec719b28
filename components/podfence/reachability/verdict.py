"""What an evaluation returns: the verdict, per direction, with the policies and rules behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["DirectionVerdict", "PolicyRef", "RuleMiss", "RuleRef", "Verdict"]


class _Describable(Protocol):
    def describe(self) -> str: ...


@dataclass(frozen=True, order=True)
class PolicyRef:
    """A NetworkPolicy by namespace and name."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, order=True)
class RuleRef:
    """One rule of a policy: ``spec.<direction>[index]``.

    Attributes:
        namespace: the policy's namespace.
        policy: the policy's name.
        direction: "ingress" or "egress".
        index: the rule's position in ``spec.ingress`` / ``spec.egress``.
    """

    namespace: str
    policy: str
    direction: str
    index: int
    rule: _Describable | None = field(default=None, compare=False, repr=False, hash=False)

    @property
    def policy_ref(self) -> PolicyRef:
        """The policy the rule belongs to."""
        return PolicyRef(self.namespace, self.policy)

    def describe(self) -> str:
        """In words: ``ns/allow-web ingress rule 0: from pods app=web in namespace ns on 80/TCP``.

        Without the compiled rule (a RuleRef built by hand), only the head before the colon.
        """
        head = f"{self.namespace}/{self.policy} {self.direction} rule {self.index}"
        return f"{head}: {self.rule.describe()}" if self.rule is not None else head

    def __str__(self) -> str:
        return f"{self.namespace}/{self.policy} {self.direction} rule {self.index}"


@dataclass(frozen=True)
class RuleMiss:
    """A rule of an isolating policy that does not admit the traffic, and why."""

    rule: RuleRef
    reason: str


@dataclass(frozen=True)
class DirectionVerdict:
    """The verdict of one direction (ingress at the destination, egress at the source).

    Attributes:
        isolated: some policy of the pod's namespace selects the pod and has this direction in
            its policyTypes; a direction that is not isolated allows everything.
        policies: the policies that isolate the pod for this direction.
        allowed_by: every rule that admits the traffic (empty when denied or not isolated).
        allowed: not isolated, or admitted by at least one rule.
        not_matching: the rules of those policies that do not admit the traffic, each with the
            reason (empty when not isolated).
    """

    isolated: bool
    policies: tuple[PolicyRef, ...] = ()
    allowed_by: tuple[RuleRef, ...] = ()
    not_matching: tuple[RuleMiss, ...] = ()

    @property
    def allowed(self) -> bool:
        """Whether this direction lets the traffic through."""
        return not self.isolated or bool(self.allowed_by)


@dataclass(frozen=True)
class Verdict:
    """Whether ``source`` may open a connection to ``destination`` on ``port``/``protocol``.

    Attributes:
        source: ``namespace/pod``, or an address for a source outside the inventory.
        destination: ``namespace/pod``.
        port: the destination port number (a named port already resolved).
        protocol: TCP, UDP or SCTP.
        ingress: the destination's side.
        egress: the source's side; None when the source is not a pod (no egress policy applies).
    """

    source: str
    destination: str
    port: int
    protocol: str
    ingress: DirectionVerdict
    egress: DirectionVerdict | None

    @property
    def allowed(self) -> bool:
        """Egress allowed at the source (if it is a pod) and ingress allowed at the destination."""
        return self.ingress.allowed and (self.egress is None or self.egress.allowed)
