"""Shared fixtures: keep torch on one thread so tests behave on 2-core CI machines."""
import os

os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')
