# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Dataset descriptions returned as ``Bunch.DESCR``."""

FASHION_MNIST_DESCR = """\
.. _fashion_mnist_dataset:

Fashion-MNIST dataset
---------------------

Zalando's article images: 70,000 grayscale 28x28 images in 10 classes
(60,000 training and 10,000 test images, 7,000 per class), designed as a
drop-in replacement for MNIST.

**Data Set Characteristics:**

:Number of Instances: 60,000 train, 10,000 test
:Number of Attributes: 784 pixels, integers 0 (background) to 255
:Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
    6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot
:Source: https://github.com/zalandoresearch/fashion-mnist
:License: MIT, Copyright (c) 2017 Zalando SE

**References**

  - Han Xiao, Kashif Rasul, Roland Vollgraf. "Fashion-MNIST: a Novel Image
    Dataset for Benchmarking Machine Learning Algorithms". arXiv:1708.07747,
    2017.
"""

MNIST_DESCR = """\
.. _mnist_dataset:

MNIST handwritten digits dataset
--------------------------------

70,000 grayscale 28x28 images of handwritten digits 0-9 (60,000 training and
10,000 test images), size-normalised and centred.

**Data Set Characteristics:**

:Number of Instances: 60,000 train, 10,000 test
:Number of Attributes: 784 pixels, integers 0 (background) to 255
:Classes: the digits "0" to "9"
:Source: http://yann.lecun.com/exdb/mnist/ (files served from maintained
    mirrors)
:License: CC BY-SA 3.0, Yann LeCun, Corinna Cortes and Christopher J.C. Burges

**References**

  - Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. "Gradient-based learning
    applied to document recognition". Proceedings of the IEEE 86(11),
    2278-2324, 1998.
"""
