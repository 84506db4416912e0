"""Application rollback (runbook 3.3): back to the previous release's images, then forward.

  python -m runbook.release images                      each service's image and its release tags
  python -m runbook.release build-previous --release 1.9.0
                        build (from the layer cache) and tag the images as an earlier release
  python -m runbook.release rollback [--to 1.9.0]       roll the stack back to the previous release
  python -m runbook.release rollforward                 return to the .env's RELEASE

Images are named ${IMAGE_PREFIX}/<service>:${RELEASE}; a release is rolled back by starting the
stack with RELEASE set to the previous tag (no build, no pull), and forward the same way.
Exit codes: 0 ok; 1 not healthy or images missing; 4 bad input; 10 compose or engine error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from readiness.model.errors import ConfigError
from readiness.operations.release import (
    build_release,
    current_release,
    local_tags,
    pick_previous,
    service_images,
    switch_to,
)
from runbook import cli


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = cli.Parser("python -m runbook.release", __doc__)
    parser.add_argument("command", choices=["images", "build-previous", "rollback", "rollforward"])
    cli.add_target_options(parser)
    parser.add_argument("--release", default="", help="build-previous: the release to tag")
    parser.add_argument("--to", default="", help="rollback: release (default: the previous tag)")
    parser.add_argument("--timeout", type=cli.positive_seconds, default=300.0)
    args = parser.parse_args(argv)
    return cli.run("release", lambda: _release(args))


def _release(args: argparse.Namespace) -> int:
    settings = cli.settings_from_args(args)
    current = current_release(settings)
    if args.command == "build-previous":
        if not args.release:
            raise ConfigError("--release", "", "is required for build-previous")
        took = build_release(settings, args.release)
        print(f"[release] built {args.release} in {took:.1f}s")
        return 0
    images = service_images(settings, current)
    tags = {i.repo: local_tags(i.repo) for i in images}
    if args.command == "images":
        for image in images:
            print(f"{image.service:<20} {image.repo:<32} {' '.join(tags[image.repo])}")
        return 0
    target = current
    if args.command == "rollback":
        target = (
            args.to
            or settings.manifest.backup.previous_release
            or (pick_previous(tags, current) or "")
        )
        if not target:
            print(
                f"[release] no previous release below {current} tagged for every image",
                file=sys.stderr,
            )
            return 1
    switch = switch_to(settings, target, args.timeout)
    for problem in switch.problems:
        print(f"[release] PROBLEM: {problem}", file=sys.stderr)
    print(
        f"[release] {args.command} to {target}: {switch.seconds:.1f}s, "
        f"{'OK' if not switch.problems else 'FAILED'}"
    )
    return 1 if switch.problems else 0


if __name__ == "__main__":
    sys.exit(main())
