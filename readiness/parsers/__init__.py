"""Readers that turn files (nginx, compose, dumps) into plain typed models."""
