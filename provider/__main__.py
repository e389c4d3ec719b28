"""podfence's component provider: Firewall, DefaultDeny, TierFirewall, NamespaceAllow,
IpBlockAllow and ClusterBaseline for programs in any Pulumi language (the Pulumi CLI runs this;
see README.md)."""

from podfence.provider import serve

if __name__ == "__main__":
    serve()
