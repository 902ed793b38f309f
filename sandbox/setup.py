"""Build the `sandbox` package from this folder (it is the package itself, with its subpackages)."""

from setuptools import find_namespace_packages, setup

setup(
    package_dir={"sandbox": "."},
    packages=["sandbox"]
    + [f"sandbox.{name}" for name in find_namespace_packages(".", exclude=["build*", "*.egg-info"])],
)
